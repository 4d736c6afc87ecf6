// The escalation inbox: a socket says when the list changed, htmx fetches it again; new
// escalations raise a browser notification and a short sound (which the agent can mute); the
// waiting times tick every second from the timestamps the server rendered.
(function () {
  "use strict";
  const root = document.querySelector("[data-inbox]");
  if (!root) return;
  const connection = root.querySelector("[data-inbox-connection]");
  const muteButton = root.querySelector("[data-mute]");
  const notifyButton = root.querySelector("[data-notify-enable]");
  const MUTE_KEY = "helpdesk.inbox.muted";
  let socket = null;
  let retryDelay = 1000;
  let stopped = false;
  let audio = null;

  function isMuted() { return localStorage.getItem(MUTE_KEY) === "1"; }

  function showMute() {
    muteButton.textContent = isMuted() ? "Sound off" : "Sound on";
    muteButton.setAttribute("aria-pressed", isMuted() ? "true" : "false");
  }

  muteButton.addEventListener("click", function () {
    localStorage.setItem(MUTE_KEY, isMuted() ? "0" : "1");
    showMute();
  });
  showMute();

  if ("Notification" in window && Notification.permission === "default") {
    notifyButton.hidden = false;
    notifyButton.addEventListener("click", function () {
      Notification.requestPermission().then(function () { notifyButton.hidden = true; });
    });
  }

  function unlockAudio() {
    // Browsers only let a page play sound after the user touched it: create (or wake) the
    // audio context on the agent's first click, so a chime an hour later is heard.
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (error) { /* no audio device */ }
  }
  document.addEventListener("pointerdown", unlockAudio);
  document.addEventListener("keydown", unlockAudio);

  function chime() {
    // A generated two-tone chime: no audio file to ship or to fail loading.
    try {
      unlockAudio();
      [660, 880].forEach(function (frequency, index) {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        const start = audio.currentTime + index * 0.18;
        tone.frequency.value = frequency;
        gain.gain.setValueAtTime(0.15, start);
        gain.gain.exponentialRampToValueAtTime(0.001, start + 0.16);
        tone.connect(gain).connect(audio.destination);
        tone.start(start);
        tone.stop(start + 0.17);
      });
    } catch (error) { /* no audio device: the notification still shows */ }
  }

  function announce(event) {
    root.dataset.lastEscalation = event.conversation;
    if (!isMuted()) chime();
    if ("Notification" in window && Notification.permission === "granted") {
      const note = new Notification("New escalation", {
        body: (event.urgency || "normal") + " urgency · " + (event.trigger || "").replace("_", " "),
        tag: event.conversation,
      });
      note.onclick = function () {
        window.focus();
        window.location.href = "/agent/conversations/" + event.conversation + "/summary/";
      };
    }
  }

  // A reminder before a callback, a page for the on-call agent, a deadline at risk: it stays on
  // the page until dismissed, with a chime and a desktop notification.
  function alertAgent(event) {
    const list = root.querySelector("[data-inbox-alerts]");
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = "/agent/conversations/" + event.conversation + "/summary/";
    link.textContent = event.text;
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.textContent = "Dismiss";
    dismiss.addEventListener("click", function () { item.remove(); });
    item.appendChild(link);
    item.appendChild(dismiss);
    list.prepend(item);
    if (!isMuted()) chime();
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification("Helpdesk reminder", { body: event.text, tag: "alert-" + event.conversation });
    }
  }

  function refreshList() {
    const list = document.getElementById("conversation-list");
    if (list && window.htmx) window.htmx.trigger(list, "refresh");
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.wsPath);
    socket.addEventListener("open", function () {
      retryDelay = 1000;
      connection.textContent = "Live";
      connection.dataset.state = "live";
      refreshList(); // whatever happened while the socket was down
    });
    socket.addEventListener("message", function (message) {
      let event;
      try { event = JSON.parse(message.data); } catch (error) { return; }
      if (event.type === "inbox.escalated") announce(event);
      if (event.type === "inbox.alert") { alertAgent(event); refreshList(); }
      if (event.type === "inbox.escalated" || event.type === "inbox.changed") refreshList();
    });
    socket.addEventListener("close", function (close) {
      if (close.code === 4403) {
        stopped = true;
        connection.textContent = "Signed out";
        return;
      }
      connection.textContent = "Reconnecting…";
      connection.dataset.state = "down";
      if (!stopped) setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }

  setInterval(function () {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
  }, 25000);

  function waited(seconds) {
    if (seconds < 60) return seconds + " s";
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + " min " + String(seconds % 60).padStart(2, "0") + " s";
    return Math.floor(minutes / 60) + " h " + String(minutes % 60).padStart(2, "0") + " min";
  }

  // Due times arrive in UTC; show them in the agent's own time zone.
  function localTimes() {
    document.querySelectorAll("time[data-local-time]").forEach(function (element) {
      const when = new Date(element.getAttribute("datetime"));
      if (isNaN(when)) return;
      element.textContent = when.toLocaleString([], {
        weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      });
      element.removeAttribute("data-local-time");
    });
  }
  document.body.addEventListener("htmx:afterSwap", localTimes);
  localTimes();

  function tick() {
    const now = Date.now() / 1000;
    document.querySelectorAll("[data-waiting-since]").forEach(function (element) {
      element.textContent = waited(Math.max(0, Math.floor(now - Number(element.dataset.waitingSince))));
    });
  }
  setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);
  tick();
  connect();
})();
