/**
 * What the app asks of the operating system to stay a desktop citizen with its window closed
 * (issue 18): start at login, and a timer that delivers while Outbox is not running at all.
 * Core decides when; the implementation writes the files each OS reads (XDG autostart entry,
 * systemd user units, launchd agent, Task Scheduler task) or calls Electron where Electron does it.
 */
export interface OsIntegration {
  /** Start hidden, in the tray, when the user logs in; false removes what was installed. */
  setStartAtLogin(on: boolean): Promise<void>;
  isStartAtLogin(): Promise<boolean>;
  /** Run the headless flush every few minutes and at scheduled times; false removes it. */
  setDeliveryTimer(on: boolean): Promise<void>;
  isDeliveryTimer(): Promise<boolean>;
}
