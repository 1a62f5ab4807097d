import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The client's types against the server's OpenAPI document (the one the server serves, which OpenApiIT holds
 * to the server's real answers): the same fields, the same required ones, the same nullable ones, and types
 * that agree. A field the server adds, drops or makes nullable fails here until the types follow.
 */
const typesFile = fileURLToPath(new URL('../src/types.ts', import.meta.url));
const openApiFile = fileURLToPath(new URL('../../../../src/main/resources/io/stratal/logs/server/openapi.json', import.meta.url));

/** Each interface of types.ts and the schema it mirrors. */
const PAIRS: Record<string, string> = {
  LogMessage: 'Log',
  LogPage: 'LogPage',
  LevelCounts: 'Counts',
  TaskRunSummary: 'TaskRunSummary',
  JobRunSummary: 'JobRunSummary',
  JobRunEntry: 'JobRun',
  JobRunPage: 'JobRunPage',
  StreamStatus: 'StreamStatus',
  LogStats: 'Stats',
};

interface Schema {
  type?: string | string[];
  enum?: string[];
  $ref?: string;
  items?: Schema;
  required?: string[];
  properties?: Record<string, Schema>;
}

interface Field {
  optional: boolean;
  nullable: boolean;
  /** The type without null: `string`, `number`, `boolean`, `array`, `object`, a named type, or string literals. */
  kind: string;
  literals: string[];
}

const source = ts.createSourceFile(typesFile, readFileSync(typesFile, 'utf8'), ts.ScriptTarget.Latest, true);
const document = JSON.parse(readFileSync(openApiFile, 'utf8')) as { components: { schemas: Record<string, Schema> } };
const schemas = document.components.schemas;

/** Type aliases of types.ts that are unions of string literals (LogType, LogLevel...), by name. */
const literalAliases = new Map<string, string[]>();
const interfaces = new Map<string, ts.InterfaceDeclaration>();
source.forEachChild((node) => {
  if (ts.isInterfaceDeclaration(node)) {
    interfaces.set(node.name.text, node);
  } else if (ts.isTypeAliasDeclaration(node) && ts.isUnionTypeNode(node.type)) {
    const literals = node.type.types.filter(ts.isLiteralTypeNode).map((t) => (t.literal as ts.StringLiteral).text);
    if (literals.length === node.type.types.length) {
      literalAliases.set(node.name.text, literals);
    }
  }
});

function describeType(node: ts.TypeNode): Field {
  const parts = ts.isUnionTypeNode(node) ? [...node.types] : [node];
  const nullable = parts.some((p) => p.kind === ts.SyntaxKind.LiteralType && (p as ts.LiteralTypeNode).literal.kind === ts.SyntaxKind.NullKeyword);
  const rest = parts.filter((p) => !(p.kind === ts.SyntaxKind.LiteralType && (p as ts.LiteralTypeNode).literal.kind === ts.SyntaxKind.NullKeyword));
  const literals = rest.filter(ts.isLiteralTypeNode).map((p) => (p.literal as ts.StringLiteral).text);
  if (literals.length > 0 && literals.length === rest.length) {
    return { optional: false, nullable, kind: 'literals', literals };
  }
  const only = rest[0]!;
  let kind: string;
  if (only.kind === ts.SyntaxKind.StringKeyword) kind = 'string';
  else if (only.kind === ts.SyntaxKind.NumberKeyword) kind = 'number';
  else if (only.kind === ts.SyntaxKind.BooleanKeyword) kind = 'boolean';
  else if (ts.isArrayTypeNode(only)) kind = 'array';
  else if (ts.isTypeReferenceNode(only)) {
    const name = only.typeName.getText(source);
    kind = literalAliases.has(name) ? 'literals' : name === 'Record' || name === 'Partial' ? 'object' : name;
    if (literalAliases.has(name)) return { optional: false, nullable, kind, literals: literalAliases.get(name)! };
  } else if (ts.isTypeLiteralNode(only)) kind = 'object';
  else kind = only.getText(source);
  return { optional: false, nullable, kind, literals: [] };
}

function fieldsOf(name: string): Map<string, Field> {
  const declaration = interfaces.get(name);
  if (!declaration) throw new Error(`no interface ${name} in types.ts`);
  const fields = new Map<string, Field>();
  for (const member of declaration.members) {
    if (ts.isPropertySignature(member) && member.type) {
      fields.set(member.name.getText(source), { ...describeType(member.type), optional: member.questionToken !== undefined });
    }
  }
  return fields;
}

function resolve(schema: Schema): Schema {
  return schema.$ref ? schemas[schema.$ref.split('/').pop()!]! : schema;
}

function expectedKind(schema: Schema): { kind: string; nullable: boolean; literals: string[] } {
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop()!;
    const target = resolve(schema);
    if (target.enum) return { kind: 'literals', nullable: false, literals: target.enum };
    const tsName = Object.entries(PAIRS).find(([, s]) => s === name)?.[0] ?? name;
    return { kind: tsName, nullable: false, literals: [] };
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const nullable = types.includes('null');
  const type = types.find((t) => t !== 'null');
  if (schema.enum) return { kind: 'literals', nullable, literals: schema.enum.filter((e) => e !== null) };
  const kind = type === 'integer' || type === 'number' ? 'number' : type ?? 'object';
  return { kind, nullable, literals: [] };
}

describe('the client types against the server\'s OpenAPI document', () => {
  for (const [tsName, schemaName] of Object.entries(PAIRS)) {
    it(`${tsName} is ${schemaName}`, () => {
      const schema = schemas[schemaName]!;
      const fields = fieldsOf(tsName);
      const properties = schema.properties ?? {};
      expect([...fields.keys()].sort(), 'the same fields').toEqual(Object.keys(properties).sort());
      const problems: string[] = [];
      for (const [name, property] of Object.entries(properties)) {
        const field = fields.get(name)!;
        const required = (schema.required ?? []).includes(name);
        if (field.optional === required) {
          problems.push(`${name}: ${required ? 'required by the server, optional in the type' : 'optional on the server, required in the type'}`);
        }
        const expected = expectedKind(property);
        if (field.nullable !== expected.nullable) {
          problems.push(`${name}: ${expected.nullable ? 'nullable on the server, not in the type' : 'nullable in the type, never null on the server'}`);
        }
        if (field.kind !== expected.kind) {
          problems.push(`${name}: ${field.kind} in the type, ${expected.kind} on the server`);
        } else if (field.kind === 'literals' && [...field.literals].sort().join() !== [...expected.literals].sort().join()) {
          problems.push(`${name}: ${field.literals.join('|')} in the type, ${expected.literals.join('|')} on the server`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('catches a field that became nullable', () => {
    const loose = ts.createSourceFile('x.ts', 'interface X { a: string | null; b: number }', ts.ScriptTarget.Latest, true);
    let a: Field | undefined;
    loose.forEachChild((node) => {
      if (ts.isInterfaceDeclaration(node)) {
        const member = node.members[0] as ts.PropertySignature;
        a = describeType(member.type!);
      }
    });
    expect(a?.nullable).toBe(true);
    expect(expectedKind({ type: 'string' }).nullable).toBe(false);
  });
});
