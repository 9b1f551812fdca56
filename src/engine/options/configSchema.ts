import { CONFIG_KEYS, CONFIG_VERSION } from './configFile';
import { fieldByKey } from './fields';

const sentence = (help: string) => `${help[0].toUpperCase()}${help.slice(1)}${help.endsWith('.') ? '' : '.'}`;

/** The JSON schema of `.vscode/bootc-ephemeral.yaml`, made from the same keys the parser reads (resources/ holds a copy, checked by a test). */
export function configurationSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    const shape: Record<string, unknown> =
      spec.kind === 'string' ? { type: 'string' }
      : spec.kind === 'boolean' ? { type: 'boolean' }
      : spec.kind === 'enum' ? { type: 'string', enum: [...spec.values!] }
      : spec.kind === 'list' ? { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }
      : spec.kind === 'ports' ? { type: 'array', items: { type: 'integer', minimum: 1, maximum: 65535 } }
      : { ...fieldByKey(key)?.schema };
    properties[key] = { ...shape, description: sentence(spec.help) };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'bootc-ephemeral VM configurations',
    type: 'object',
    additionalProperties: false,
    properties: {
      version: { const: CONFIG_VERSION },
      configurations: {
        type: 'array',
        items: { type: 'object', additionalProperties: false, required: ['name'], oneOf: [{ required: ['image'] }, { required: ['containerfile'] }], properties },
      },
    },
    required: ['version', 'configurations'],
  };
}
