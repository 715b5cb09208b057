// Served by `brief serve` with each page it previews (never written into the built pages):
// reload when the server reports a build other than the one this page was served at.
// EventSource reconnects by itself, so a restarted server is picked up too.
const served = document.currentScript.dataset.generation;
new EventSource("/_brief/events").onmessage = (event) => {
  if (event.data !== served) location.reload();
};
