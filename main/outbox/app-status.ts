import type { AppStatus } from '../../preload/contract/settings.ts';
import type { EventSink } from '../core/ports.ts';
import type { Connectivity } from './delivery/connectivity.ts';

/** `app:getStatus` and `app:statusChanged`: whether the network works, and the app's version. */
export class AppStatusSource {
  private readonly connectivity: Connectivity;
  private readonly version: string;

  constructor(connectivity: Connectivity, version: string, emit: EventSink) {
    this.connectivity = connectivity;
    this.version = version;
    connectivity.onChange(() => {
      emit('app:statusChanged', this.status());
    });
  }

  status(): AppStatus {
    return { online: this.connectivity.online, version: this.version };
  }
}
