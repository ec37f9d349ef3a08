/**
 * `ansible_group_priority` as Ansible's Group.set_priority takes it (`int(value)`):
 * an integer or a string of digits; undefined for anything else, which the
 * readers report where it was written.
 */
export function groupPriority(value: unknown): number | undefined {
  const priority = typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : value;
  return typeof priority === 'number' && Number.isInteger(priority) ? priority : undefined;
}

export const GROUP_PRIORITY_PROBLEM = 'ansible_group_priority must be an integer';
