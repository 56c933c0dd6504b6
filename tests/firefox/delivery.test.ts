/**
 * Firefox has no Background Sync: the shared delivery scenarios, the navigation one after Firefox
 * stopped the idle worker (its backoff timer gone with it), so the navigation is what wakes it.
 */
import { describeDelivery } from '../cross-browser/delivery.scenarios.ts';
import { launchFirefoxDevice } from './firefox.ts';
import { FIREFOX, IDLE_TIMEOUT_MS } from './firefox-rig.ts';

describeDelivery({
  ...FIREFOX,
  wakeDevice: () => launchFirefoxDevice({ workerIdleTimeoutMs: IDLE_TIMEOUT_MS }),
  afterAppClosed: (firefox, rig) => firefox.waitForWorkerStopped(rig.origin),
});
