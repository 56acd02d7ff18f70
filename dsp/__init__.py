"""Pure numeric code: numpy arrays in, numpy arrays out. No I/O, no clocks, no hardware."""
