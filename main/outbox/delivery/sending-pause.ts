/**
 * "Pause all sending" (the tray's menu): no attempt starts on any account while it is on; attempts
 * under way finish. In memory only, for this run of the app: a pause forgotten at quit must not
 * keep mail back for good, and the headless flush (another process) is not bound by it.
 */
export class SendingPause {
  private on = false;

  get paused(): boolean {
    return this.on;
  }

  set(paused: boolean): void {
    this.on = paused;
  }
}
