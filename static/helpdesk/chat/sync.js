/* Catching up by sequence number: after each connect, after a gap in the numbers, and when a
 * pong says the conversation has gone further than the page. One request at a time: the
 * server answers in pages, and the last says it is complete. */

export class Resync {
  /** lastSeen(): the highest sequence number up to which the page has every message. */
  constructor({ send, lastSeen }) {
    this.send = send;
    this.lastSeen = lastSeen;
    this.requested = false;
  }

  request() {
    if (this.requested) return;
    this.requested = this.send({ type: "sync", after: this.lastSeen() });
  }

  /** A new socket, or the last page arrived: the next request goes out. */
  reset() {
    this.requested = false;
  }

  /** A pong: `lastSeq` is the conversation's newest message; missed one? ask. */
  catchUp(lastSeq) {
    if (typeof lastSeq === "number" && lastSeq > this.lastSeen()) this.request();
  }
}
