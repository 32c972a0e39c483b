// Getting an agent's attention for a newly waiting customer: a short beep and a flashing tab title.
let flashTimer: ReturnType<typeof setInterval> | null = null;
const baseTitle = () => document.title.replace(/^\(\d+\) |^● /, "");

export function flashTitle(message: string): void {
  if (flashTimer || document.hasFocus()) return;
  const original = baseTitle();
  let on = false;
  flashTimer = setInterval(() => {
    on = !on;
    document.title = on ? `● ${message}` : original;
  }, 1000);
  const stop = () => {
    if (flashTimer) clearInterval(flashTimer);
    flashTimer = null;
    document.title = original;
    window.removeEventListener("focus", stop);
  };
  window.addEventListener("focus", stop);
}

export function beep(): void {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.05;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.15);
    osc.onended = () => void ctx.close();
  } catch {
    // No audio (autoplay policy or headless): the title flash still works.
  }
}

export function setUnreadBadge(total: number): void {
  const title = baseTitle();
  document.title = total > 0 ? `(${total}) ${title}` : title;
}
