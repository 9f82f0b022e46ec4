// The runs page: ticking two runs turns the "Compare" link into a link to
// their compare page (the older run as A).
(() => {
  "use strict";
  const table = document.getElementById("runs");
  const link = document.getElementById("compare-link");
  if (!table || !link) return;

  function update() {
    // Rows are listed newest first: the lower ticked row is the older run.
    const ticked = [...table.querySelectorAll("input[data-compare]:checked")]
      .map((box) => box.dataset.compare);
    if (ticked.length === 2) {
      link.href = `/compare?${new URLSearchParams({ a: ticked[1], b: ticked[0] })}`;
      link.removeAttribute("aria-disabled");
    } else {
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
    }
    link.textContent = ticked.length === 2 ? "Compare" : `Compare (${ticked.length} of 2 ticked)`;
  }

  table.addEventListener("change", update);
  update();
})();
