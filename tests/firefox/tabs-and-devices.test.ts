/** Firefox tabs and devices (each device a profile of its own): the shared scenarios. */
import { describeTabsAndDevices } from '../cross-browser/tabs-and-devices.scenarios.ts';
import { FIREFOX } from './firefox-rig.ts';

describeTabsAndDevices(FIREFOX);
