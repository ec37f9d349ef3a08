export { Scheduler } from './scheduler.js';
export type { ScheduleHooks } from './scheduler.js';
export { CONTINUE, INPUT_ORDER } from './policy.js';
export type { SchedulePolicy, ScheduledHost, Verdict } from './policy.js';
