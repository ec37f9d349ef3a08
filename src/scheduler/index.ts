export { Scheduler } from './scheduler.js';
export type { ScheduleHooks } from './scheduler.js';
export { CONTINUE, INPUT_ORDER } from './policy.js';
export type { SchedulePolicy, ScheduledHost, Verdict } from './policy.js';
export { maxFail } from './max-fail.js';
export type { FailLimit } from './max-fail.js';
export { HOST_ORDERS, hostOrder } from './order.js';
export type { HostOrder } from './order.js';
