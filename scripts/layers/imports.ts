/**
 * Every module a source file reaches for, found by parsing it (the TypeScript parser, so comments,
 * strings and template text never produce false hits): static `import`, `import type`,
 * `export ... from`, `import x = require()`, dynamic `import()`, `require()`, `require.resolve()`,
 * and worker entry points written as `new URL('...', import.meta.url)`.
 * A dynamic `import()` or `require()` whose argument is not a plain string is reported as such:
 * the layering check cannot see where it goes, so it counts as a violation wherever rules apply.
 */
import ts from 'typescript';

export type ImportKind = 'import' | 'export-from' | 'dynamic-import' | 'require' | 'import-meta-url';

export interface FoundImport {
  readonly kind: ImportKind;
  /** The specifier as written; undefined when it is computed at run time. */
  readonly specifier: string | undefined;
  readonly line: number;
  readonly typeOnly: boolean;
}

function scriptKind(fileName: string): ts.ScriptKind {
  if (fileName.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (/\.(m|c)?js$/.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

const literal = (node: ts.Node | undefined): string | undefined =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;

const isImportMetaUrl = (node: ts.Node | undefined): boolean =>
  !!node &&
  ts.isPropertyAccessExpression(node) &&
  node.name.text === 'url' &&
  ts.isMetaProperty(node.expression) &&
  node.expression.keywordToken === ts.SyntaxKind.ImportKeyword;

/** `require(...)` and `require.resolve(...)`: both name a module the file depends on. */
function isRequireCallee(node: ts.Expression): boolean {
  if (ts.isIdentifier(node)) return node.text === 'require';
  return ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.name.text === 'resolve';
}

export function findImports(fileName: string, source: string): FoundImport[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, scriptKind(fileName));
  const found: FoundImport[] = [];
  const add = (node: ts.Node, kind: ImportKind, specifier: string | undefined, typeOnly = false) =>
    found.push({ kind, specifier, typeOnly, line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1 });

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node, 'import', literal(node.moduleSpecifier), node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node, 'export-from', literal(node.moduleSpecifier), node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, 'require', literal(node.moduleReference.expression), node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      // `typeof import('x')` in a type position
      const arg = node.argument;
      add(node, 'import', ts.isLiteralTypeNode(arg) ? literal(arg.literal) : undefined, true);
    } else if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, 'dynamic-import', literal(node.arguments[0]));
      else if (isRequireCallee(node.expression)) add(node, 'require', literal(node.arguments[0]));
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const args = node.arguments ?? [];
      if (args.length === 2 && isImportMetaUrl(args[1])) add(node, 'import-meta-url', literal(args[0]));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * Lines that read `process.env` (also `process['env']` and `globalThis.process.env`): the core
 * takes configuration as arguments; the environment is read at the edge (services/config.ts).
 */
export function findProcessEnv(fileName: string, source: string): number[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, scriptKind(fileName));
  const lines: number[] = [];
  const isProcess = (e: ts.Expression) =>
    (ts.isIdentifier(e) && e.text === 'process') || (ts.isPropertyAccessExpression(e) && e.name.text === 'process');
  const visit = (node: ts.Node): void => {
    const env =
      (ts.isPropertyAccessExpression(node) && node.name.text === 'env' && isProcess(node.expression)) ||
      (ts.isElementAccessExpression(node) && literal(node.argumentExpression) === 'env' && isProcess(node.expression));
    if (env) lines.push(file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return lines;
}
