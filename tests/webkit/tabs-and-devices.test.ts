/** WebKit tabs and devices (each device a WebDriver session): the shared scenarios. */
import { describeTabsAndDevices } from '../cross-browser/tabs-and-devices.scenarios.ts';
import { WEBKIT } from './webkit-rig.ts';

describeTabsAndDevices(WEBKIT);
