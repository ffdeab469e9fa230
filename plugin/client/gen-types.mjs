// Writes types.js, the JSDoc types of the lorsync API, from schema/openrpc.json and the plan
// schemas it refers to (letter.schema.json, ...). With --check, writes nothing and exits 1 if
// types.js is not what it would write, so a schema change cannot leave the types behind.
//   node plugin/client/gen-types.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const schemaDir = resolve(here, '../../schema');
const target = join(here, 'types.js');

const documents = new Map();
const load = (file) => {
  if (!documents.has(file)) documents.set(file, JSON.parse(readFileSync(join(schemaDir, file), 'utf8')));
  return documents.get(file);
};
const openrpc = load('openrpc.json');

const pascal = (name) => name.split(/[.-]/).map((word) => word[0].toUpperCase() + word.slice(1)).join('');
// letter.schema.json -> LetterData: the `data` of a LetterEntity.
const dataName = (file) => pascal(file.replace(/\.schema\.json$/, '')) + 'Data';
const pointer = (document, path) => path.split('/').slice(1)
  .reduce((node, key) => node[key.replaceAll('~1', '/').replaceAll('~0', '~')], document);

const usedFiles = [];  // plan schemas referred to as a whole: each gets a typedef

function refType(ref, file) {
  const [path, fragment = ''] = ref.split('#');
  const refFile = path || file;
  if (refFile === 'openrpc.json' && fragment.startsWith('/components/schemas/')) return fragment.split('/').pop();
  if (!fragment) {
    if (!usedFiles.includes(refFile)) usedFiles.push(refFile);
    return dataName(refFile);
  }
  // A definition inside a plan schema (an id, a date, an enum): small, so written out in place.
  return typeOf(pointer(load(refFile), fragment), refFile);
}

const union = (types) => [...new Set(types)].join('|');
const literal = (value) => JSON.stringify(value);
const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : literal(name));

// An object schema without `type` only narrows properties (inside allOf); with `type: object` and
// no additionalProperties, or with patternProperties (x-... fields), other keys are allowed.
const isOpen = (schema) => Boolean(schema.patternProperties) || schema.additionalProperties === true
  || (schema.additionalProperties === undefined && schema.type === 'object');

function objectType(schema, file) {
  const properties = Object.entries(schema.properties ?? {});
  if (!properties.length) return 'Object<string, unknown>';
  const required = new Set(schema.required ?? []);
  const fields = properties.map(([name, value]) => `${key(name)}${required.has(name) ? '' : '?'}: ${typeOf(value, file)}`);
  if (isOpen(schema)) fields.push('[key: string]: unknown');
  return `{${fields.join(', ')}}`;
}

function typeOf(schema, file) {
  if (schema.$ref) return refType(schema.$ref, file);
  if ('const' in schema) return literal(schema.const);
  if (schema.enum) return union(schema.enum.map(literal));
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return union(alternatives.map((part) => typeOf(part, file)));
  if (schema.allOf) return schema.allOf.map((part) => typeOf(part, file)).map((t) => (t.includes('|') ? `(${t})` : t)).join(' & ');
  const types = [schema.type ?? (schema.properties ? 'object' : [])].flat();
  if (!types.length) return 'unknown';
  return union(types.map((type) => {
    switch (type) {
      case 'integer': return 'number';
      case 'array': return `Array<${schema.items ? typeOf(schema.items, file) : 'unknown'}>`;
      case 'object': return objectType(schema, file);
      default: return type;  // string, number, boolean, null
    }
  }));
}

// A JSDoc block: the text, then the tags, each [head, description]. Descriptions wrap; a head
// ("@property {type} name") stays on one line, however long, so that every reader parses it.
function block(text, tags) {
  const lines = [];
  const wrap = (head, words, indent) => {
    let line = head;
    for (const word of words.split(/\s+/).filter(Boolean)) {
      if (line !== head && line !== indent && line.length + word.length >= 104) {
        lines.push(line);
        line = indent;
      }
      line += ` ${word}`;
    }
    lines.push(line);
  };
  if (text) wrap(' *', text, ' *');
  for (const [head, description = ''] of tags) wrap(` * ${head}`, description, ' *  ');
  return `/**\n${lines.join('\n').replaceAll('*/', '*\\/')}\n */`;
}

// A named type: with @property lines (and their descriptions) when it is a plain object schema.
function typedef(name, schema, file, text) {
  const properties = Object.entries(schema.properties ?? {});
  const plain = !schema.$ref && !schema.allOf && !schema.oneOf && !schema.anyOf && properties.length
    && properties.every(([property]) => key(property) === property);
  if (!plain) return block(text, [[`@typedef {${typeOf(schema, file)}} ${name}`]]);
  const required = new Set(schema.required ?? []);
  const tags = properties.map(([property, value]) =>
    [`@property {${typeOf(value, file)}} ${required.has(property) ? property : `[${property}]`}`, value.description]);
  if (schema.patternProperties) text += ' Custom `x-...` fields of your own are allowed too.';
  return block(text, [[`@typedef {Object} ${name}`], ...tags]);
}

const resolveDescriptor = (descriptor) => (descriptor.$ref ? pointer(openrpc, descriptor.$ref.slice(1)) : descriptor);

function methodTypedefs(method) {
  const name = pascal(method.name);
  const params = method.params.map(resolveDescriptor);
  const paramsSchema = {
    type: 'object',
    additionalProperties: false,
    required: params.filter((param) => param.required).map((param) => param.name),
    properties: Object.fromEntries(params.map((param) => [param.name, { ...param.schema, description: param.description }])),
  };
  const result = resolveDescriptor(method.result);
  return [
    params.length ? typedef(`${name}Params`, paramsSchema, 'openrpc.json', `${method.name}: ${method.summary}`)
      : block(`${method.name}: ${method.summary} No params.`, [[`@typedef {Object<string, never>} ${name}Params`]]),
    block(`What ${method.name} answers. ${result.description ?? ''}`,
      [[`@typedef {${typeOf(result.schema, 'openrpc.json')}} ${name}Result`]]),
  ];
}

function generate() {
  usedFiles.length = 0;
  const schemas = Object.entries(openrpc.components.schemas)
    .map(([name, schema]) => typedef(name, schema, 'openrpc.json', schema.description ?? ''));
  const methods = openrpc.methods.flatMap(methodTypedefs);
  const notifications = block('The notifications sent after subscribe (x-notifications): name to params, for LorsyncClient.on.', [
    [`@typedef {{${openrpc['x-notifications'].map((n) => `${literal(n.name)}: ${typeOf(n.params, 'openrpc.json')}`).join(', ')}}} Notifications`],
  ]);
  const data = usedFiles.map((file) => {
    const schema = load(file);
    return typedef(dataName(file), schema, file, `${file}: ${schema.description}`);
  });
  return [
    '// Generated by plugin/client/gen-types.mjs from schema/openrpc.json and the plan schemas it refers',
    '// to: do not edit. After changing the schemas, run `node plugin/client/gen-types.mjs`.',
    '// Types only, for editors and tsc: lorsync.js refers to them as import(\'./types.js\').Name.',
    'export {};',
    '',
    '// Schemas (components.schemas)',
    '',
    ...schemas.flatMap((text) => [text, '']),
    '// Entity data (the plan schemas)',
    '',
    ...data.flatMap((text) => [text, '']),
    '// Methods: params and result',
    '',
    ...methods.flatMap((text) => [text, '']),
    notifications,
    '',
  ].join('\n');
}

const text = generate();
if (process.argv.includes('--check')) {
  let current = null;
  try { current = readFileSync(target, 'utf8'); } catch { /* missing: stale */ }
  if (current !== text) {
    console.error(`${target} is stale: run node plugin/client/gen-types.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
}
