// Hover previews (as Quarto's HTML does): pointing at or focusing an in-text citation shows its
// reference-list entry, a reference to a figure, table or equation shows it; the link itself still
// jumps there. No network, no library.
(function () {
  var popup = document.getElementById("citation-popup");
  if (!popup) { return; }
  function entryFor(link) {
    var href = link.getAttribute("href");
    if (!href.startsWith("#ref-")) {
      var target = document.getElementById(href.slice(1));
      return target ? [target] : [];
    }
    var ids = (link.closest(".citation") || link).getAttribute("data-cites");
    var list = ids ? ids.split(" ") : [link.getAttribute("href").slice(5)];
    return list.map(function (id) { return document.getElementById("ref-" + id); })
               .filter(function (el) { return el; });
  }
  function show(event) {
    var link = event.currentTarget;
    var entries = entryFor(link);
    if (!entries.length) { return; }
    popup.innerHTML = "";
    entries.forEach(function (entry) {
      var copy = entry.cloneNode(true);
      copy.removeAttribute("id");
      popup.appendChild(copy);
    });
    var box = link.getBoundingClientRect();
    popup.hidden = false;
    var top = window.scrollY + box.bottom + 6;
    var left = Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - popup.offsetWidth - 8));
    popup.style.top = top + "px";
    popup.style.left = left + "px";
  }
  function hide() { popup.hidden = true; }
  var previews = "a[href^='#ref-'], a[href^='#fig-'], a[href^='#tbl-'], a[href^='#eq-']";
  document.querySelectorAll(previews).forEach(function (link) {
    link.addEventListener("mouseenter", show);
    link.addEventListener("focus", show);
    link.addEventListener("mouseleave", hide);
    link.addEventListener("blur", hide);
  });
})();

// The table of contents: folded above the text on a narrow screen (a tap opens it), and the entry
// of the section being read marked as one scrolls, as Quarto's sidebar does.
(function () {
  var toc = document.querySelector("nav.toc-sidebar details");
  if (!toc) { return; }
  if (window.matchMedia("(max-width: 991.98px)").matches) { toc.open = false; }
  var links = {};
  toc.querySelectorAll("a[href^='#']").forEach(function (a) { links[a.getAttribute("href").slice(1)] = a; });
  if (!("IntersectionObserver" in window)) { return; }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var link = links[entry.target.id];
      if (entry.isIntersecting && link) {
        toc.querySelectorAll("a.active").forEach(function (a) { a.classList.remove("active"); });
        link.classList.add("active");
      }
    });
  }, {rootMargin: "0px 0px -70% 0px"});
  document.querySelectorAll("main section[id]").forEach(function (s) { observer.observe(s); });
})();
