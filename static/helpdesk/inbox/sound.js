/* The inbox's chime: a generated two-tone sound (no audio file to ship or to fail loading),
 * which the agent can mute; the choice is kept in localStorage. */

const MUTE_KEY = "helpdesk.inbox.muted";
const TONES_HZ = [660, 880];

export class Sound {
  /** button: the mute toggle; texts: {sound_on, sound_off}. */
  constructor({ button, texts }) {
    this.button = button;
    this.texts = texts;
    this.audio = null;
  }

  attach() {
    this.button.addEventListener("click", () => {
      this.setMuted(!this.muted());
      this.showButton();
    });
    this.showButton();
    // Browsers only let a page play sound after the user touched it: create (or wake) the
    // audio context on the agent's first click or key, so a chime an hour later is heard.
    document.addEventListener("pointerdown", () => this.unlock());
    document.addEventListener("keydown", () => this.unlock());
  }

  muted() {
    try {
      return localStorage.getItem(MUTE_KEY) === "1";
    } catch (error) {
      return false;
    }
  }

  setMuted(muted) {
    try {
      localStorage.setItem(MUTE_KEY, muted ? "1" : "0");
    } catch (error) {
      // storage refused: the toggle lasts as long as nothing reads it again
    }
  }

  showButton() {
    const muted = this.muted();
    this.button.textContent = muted ? this.texts.sound_off : this.texts.sound_on;
    this.button.setAttribute("aria-pressed", muted ? "true" : "false");
  }

  unlock() {
    try {
      this.audio = this.audio || new (window.AudioContext || window.webkitAudioContext)();
      if (this.audio.state === "suspended") this.audio.resume();
    } catch (error) {
      // no audio device
    }
  }

  /** Two short tones, unless muted. */
  chime() {
    if (this.muted()) return;
    try {
      this.unlock();
      TONES_HZ.forEach((frequency, index) => this.tone(frequency, index * 0.18));
    } catch (error) {
      // no audio device: the notification still shows
    }
  }

  tone(frequency, offset) {
    const tone = this.audio.createOscillator();
    const gain = this.audio.createGain();
    const start = this.audio.currentTime + offset;
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.15, start);
    gain.gain.exponentialRampToValueAtTime(0.001, start + 0.16);
    tone.connect(gain).connect(this.audio.destination);
    tone.start(start);
    tone.stop(start + 0.17);
  }
}
