/* Runs before first paint (not deferred) so the red night mode never flashes the normal theme. */
(function () {
  "use strict";
  try {
    if (localStorage.getItem("roomsweep.night") === "1") {
      document.documentElement.classList.add("night");
    }
  } catch (e) {
    /* storage disabled: normal theme */
  }
})();
