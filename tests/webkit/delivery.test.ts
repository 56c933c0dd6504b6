/**
 * WebKit (Safari's engine) has no Background Sync: the shared delivery scenarios. WebKit's
 * WebDriver has no offline switch: an unreachable server stands in for it.
 */
import { describeDelivery } from '../cross-browser/delivery.scenarios.ts';
import { WEBKIT } from './webkit-rig.ts';

describeDelivery(WEBKIT);
