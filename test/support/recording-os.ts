import type { OsIntegration } from '../../main/desktop/os-integration.ts';

/**
 * The OsIntegration port, recording what it is asked: our own boundary (the files it writes are
 * another module's, tested there). `refuse` makes the next calls of one kind fail as the OS would.
 */
export class RecordingOs implements OsIntegration {
  readonly calls: string[] = [];
  startAtLogin = false;
  deliveryTimer = false;
  refuse: { startAtLogin?: Error; deliveryTimer?: Error } = {};

  setStartAtLogin(on: boolean): Promise<void> {
    this.calls.push(`startAtLogin ${on}`);
    if (this.refuse.startAtLogin) return Promise.reject(this.refuse.startAtLogin);
    this.startAtLogin = on;
    return Promise.resolve();
  }

  isStartAtLogin(): Promise<boolean> {
    return Promise.resolve(this.startAtLogin);
  }

  setDeliveryTimer(on: boolean): Promise<void> {
    this.calls.push(`deliveryTimer ${on}`);
    if (this.refuse.deliveryTimer) return Promise.reject(this.refuse.deliveryTimer);
    this.deliveryTimer = on;
    return Promise.resolve();
  }

  isDeliveryTimer(): Promise<boolean> {
    return Promise.resolve(this.deliveryTimer);
  }
}
