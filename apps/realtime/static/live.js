// The live page: one connection per browser, shared by every tab, titles written as text.
//
// EventSource over HTTP/1.1 counts against the browser's 6 connections per host, across tabs.  So
// one tab (the holder of a Web Lock) opens the stream and passes each event to the others over a
// BroadcastChannel; when it closes, another tab takes the lock and resumes from the last id seen.
"use strict";
(function () {
  const list = document.getElementById("proposals");
  const state = document.getElementById("state");
  const seen = new Set();
  let lastId = null;
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("swapdemo-live") : null;

  function say(text) { state.textContent = text; }

  function show(event) {
    if (event.kind !== "proposal" || seen.has(event.id)) return;
    seen.add(event.id);
    lastId = event.id;
    const item = document.createElement("li");
    const title = document.createElement("strong");
    title.textContent = event.data.title;  // text, never HTML: a title is whatever a visitor typed
    item.append(title, document.createTextNode(` by ${event.data.speaker} (${event.data.track}), #${event.data.id}`));
    item.dataset.event = JSON.stringify(event);  // to hand a tab that opens later the list so far
    list.prepend(item);
  }

  function received(event) {
    if (event.kind === "reset") { location.reload(); return; }  // history lost: start again
    show(event);
    if (channel) channel.postMessage({ type: "event", event: event });
  }

  function connect() {
    const url = "/live/events" + (lastId ? "?last=" + encodeURIComponent(lastId) : "");
    const source = new EventSource(url);
    source.onopen = () => say("Live: this tab holds the connection.");
    source.onerror = () => say("Reconnecting…");
    for (const kind of ["proposal", "reset"]) {
      source.addEventListener(kind, (message) => {
        received({ id: message.lastEventId, kind: kind, data: JSON.parse(message.data) });
      });
    }
    source.addEventListener("bye", (message) => say("Disconnected: " + JSON.parse(message.data)));
    return source;
  }

  if (!channel || !navigator.locks) { connect(); return; }  // no sharing: a connection of its own
  let holding = false;

  channel.onmessage = (message) => {
    const data = message.data;
    if (data.type === "event") { show(data.event); say("Live, through another tab."); }
    if (data.type === "hello" && holding) {
      const events = Array.from(list.children).reverse().map((item) => JSON.parse(item.dataset.event));
      channel.postMessage({ type: "history", events: events });
    }
    if (data.type === "history" && !holding) { data.events.forEach(show); say("Live, through another tab."); }
  };
  say("Live, through another tab.");
  channel.postMessage({ type: "hello" });
  navigator.locks.request("swapdemo-live", () => {
    holding = true;
    connect();
    return new Promise(() => {});  // held until this tab closes
  });
})();
