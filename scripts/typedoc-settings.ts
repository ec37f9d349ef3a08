import { Comment, Converter, ReflectionKind } from 'typedoc';
import type { Application, Context } from 'typedoc';
import { SETTINGS, defaults, environmentVariable } from '../src/settings/index.js';
import { flagText } from '../src/settings/setting.js';

/**
 * A TypeDoc plugin: the option fields derived from the settings schema are
 * mapped types, which carry no comment of their own, so each gets its
 * setting's help, flag, variable and default here rather than a second
 * copy of them in TSDoc beside the schema.
 */
export function load(app: Application): void {
  const help = new Map<string, string>(SETTINGS.flatMap((s) => (s.field ? [[s.field, settingText(s.field, s)] as const] : [])));
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context: Context) => {
    for (const reflection of context.project.getReflectionsByKind(ReflectionKind.Property)) {
      const text = help.get(reflection.name);
      if (reflection.comment || !text || !reflection.parent?.kindOf(ReflectionKind.Interface | ReflectionKind.TypeAlias)) continue;
      reflection.comment = new Comment([{ kind: 'text', text }]);
    }
  });
}

function settingText(field: string, s: (typeof SETTINGS)[number]): string {
  const fallback = field in defaults ? `Default: \`${JSON.stringify(defaults[field as keyof typeof defaults])}\`.` : s.unset ? `Unset: ${s.unset}.` : '';
  const units = field.endsWith('Ms') ? ' Here in milliseconds (the flag takes seconds).' : field.endsWith('Bytes') ? ' Here in bytes.' : '';
  return `${s.help}.${units} ${fallback} CLI \`${flagText(s)}\`, variable \`${environmentVariable(s.key)}\`, settings-file key \`${s.key}\`.`;
}
