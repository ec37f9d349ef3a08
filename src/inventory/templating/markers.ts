/**
 * Ansible's is_possibly_template: a string with a Jinja block, variable or
 * comment start may be a template. Checked without the template engine, which
 * is loaded only when some value needs it.
 */
export function mayBeTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%') || text.includes('{#');
}
