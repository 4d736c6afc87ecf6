/* The websocket the live pages share (the chat, both sides, and the agents' inbox): it connects,
 * reconnects with a growing delay, keeps the connection alive with a ping, and reads the close
 * codes the server uses (helpdesk/chatsocket.py, agents/consumers.py):
 *
 *   4403  signed out, or not yours: stop for good and say why
 *   4001  the chat moved to the profile the customer proved: come back after the shortest
 *         delay, with the cookie the browser holds now (the verification's response set it;
 *         no reload, which would cut short the tab still receiving that response and lose
 *         what the customer is typing)
 *   4429  too many sockets open: try again after 15 s
 *
 * A page gives the words for each state (texts.js); this module has none of its own.
 */

export const CLOSE_RECONNECT = 4001;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_TOO_MANY = 4429;

const PING_EVERY_MS = 25000;
const TOO_MANY_WAIT_MS = 15000;
// Spread over 5 s more, so that windows refused together do not all come back together.
const TOO_MANY_SPREAD_MS = 5000;

// What the connection line looks like in each state (app.css colours "open" and "closed").
const LOOKS = {
  connecting: "connecting",
  reconnecting: "connecting",
  open: "open",
  forbidden: "closed",
  too_many: "closed",
};

/** Show `state` ("connecting", "reconnecting", "open", "forbidden" or "too_many") in `element`,
 * in the words the page's server-rendered texts give for it. */
export function showConnection(element, state, texts) {
  if (!element) return;
  element.textContent = texts[state];
  element.dataset.state = LOOKS[state];
}

function socketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  return scheme + location.host + path;
}

export class LiveSocket {
  /**
   * path: the socket's path; onFrame(frame): each JSON frame the server sends; onOpen();
   * onClose(event): before any reconnect; onState(state): see showConnection.
   * backoff: {first, max, spread} in ms, and resetOn: "frame" (the first frame proves the
   * server took us in) or "open" (for a socket the server sends nothing on at first).
   */
  constructor({ path, onFrame, onOpen, onClose, onState, backoff = {} }) {
    this.path = path;
    this.onFrame = onFrame;
    this.onOpen = onOpen || (() => {});
    this.onClose = onClose || (() => {});
    this.onState = onState || (() => {});
    this.first = backoff.first ?? 500;
    this.max = backoff.max ?? 5000;
    this.spread = backoff.spread ?? 250;
    this.resetOn = backoff.resetOn ?? "frame";
    this.delay = this.first;
    this.socket = null;
    this.attempts = 0;
    this.stopped = false;
    this.pinger = null;
  }

  start() {
    this.connect();
    this.pinger = setInterval(() => this.send({ type: "ping" }), PING_EVERY_MS);
  }

  /** Send `frame` as JSON if the socket is open; false when it is not (the caller keeps it). */
  send(frame) {
    if (this.stopped || !this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  connect() {
    this.onState(this.attempts === 0 ? "connecting" : "reconnecting");
    this.attempts += 1;
    const socket = new WebSocket(socketUrl(this.path));
    socket.addEventListener("open", () => this.opened());
    socket.addEventListener("message", (event) => this.received(event));
    socket.addEventListener("close", (event) => this.closed(event));
    this.socket = socket;
  }

  opened() {
    if (this.resetOn === "open") this.delay = this.first;
    this.onOpen();
  }

  received(event) {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch (error) {
      return; // not ours to read
    }
    if (this.resetOn === "frame") this.delay = this.first;
    this.onFrame(frame);
  }

  closed(event) {
    this.onClose(event);
    if (event.code === CLOSE_FORBIDDEN) {
      this.stop();
      this.onState("forbidden");
    } else if (event.code === CLOSE_TOO_MANY) {
      this.onState("too_many");
      this.retryIn(TOO_MANY_WAIT_MS + Math.random() * TOO_MANY_SPREAD_MS);
    } else {
      if (event.code === CLOSE_RECONNECT) this.delay = this.first; // nothing is wrong: no backoff
      this.onState("reconnecting");
      this.retryIn(this.nextDelay());
    }
  }

  nextDelay() {
    const delay = this.delay + Math.random() * this.spread;
    this.delay = Math.min(this.delay * 2, this.max);
    return delay;
  }

  retryIn(ms) {
    setTimeout(() => {
      if (!this.stopped) this.connect();
    }, ms);
  }

  /** No more reconnects and no more pings (after a 4403). */
  stop() {
    this.stopped = true;
    clearInterval(this.pinger);
  }
}
