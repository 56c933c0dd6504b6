/** WebKit as the browser under test of the shared scenarios: devices are WebKitWebDriver sessions. */
import { type BrowserRig, type BrowserUnderTest, startBrowserRig } from '../cross-browser/browser-rig.ts';
import { startWebKitDriver, type WebKitDevice } from './webkit.ts';

export type WebKitRig = BrowserRig<WebKitDevice>;

export const WEBKIT: BrowserUnderTest<WebKitDevice> = {
  name: 'WebKit',
  prefix: 'wk',
  async startRig() {
    const webkit = await startWebKitDriver();
    return startBrowserRig(
      () => webkit.newDevice(),
      () => webkit.close(),
    );
  },
};
