/** Firefox as the browser under test of the shared scenarios: devices on profiles of their own. */
import { type BrowserRig, type BrowserUnderTest, startBrowserRig } from '../cross-browser/browser-rig.ts';
import { type FirefoxDevice, launchFirefoxDevice } from './firefox.ts';

export type FirefoxRig = BrowserRig<FirefoxDevice>;

/** Short enough for a test to see Firefox stop the idle worker; 30 s by default. */
export const IDLE_TIMEOUT_MS = 2_000;

export const FIREFOX: BrowserUnderTest<FirefoxDevice> = {
  name: 'Firefox',
  prefix: 'ff',
  startRig: () => startBrowserRig(() => launchFirefoxDevice()),
};
