/*
 * What Moddable's linker (xsl) warns "not frozen" about, found in the source without Moddable: after preload it
 * freezes every function and class, and reports each object a frozen function can reach that is not frozen
 * itself. In a module that is a module-level constant holding an array or object literal (or a `new` object),
 * anywhere in it, that is not wrapped in Object.freeze. Found this way: proc.ts's table of columns.
 */
import ts from 'typescript';

/** `file:line name` for every literal of a module-level const left unfrozen. */
export function unfrozenModuleConstants(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const report = (node: ts.Node, name: string, what: string): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push(`${file}:${line} ${name}: ${what} not frozen`);
  };
  const isFreeze = (node: ts.Node): node is ts.CallExpression =>
    ts.isCallExpression(node) && node.expression.getText(source) === 'Object.freeze';
  /** `frozen`: the node is Object.freeze's argument. Functions are not entered: their bodies run later. */
  const visit = (node: ts.Node, name: string, frozen: boolean): void => {
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) {
      visit(node.expression, name, frozen);
    } else if (isFreeze(node)) {
      for (const arg of node.arguments) visit(arg, name, true);
    } else if (ts.isArrayLiteralExpression(node)) {
      if (!frozen) report(node, name, 'array');
      for (const element of node.elements) visit(element, name, false);
    } else if (ts.isObjectLiteralExpression(node)) {
      if (!frozen) report(node, name, 'object');
      for (const property of node.properties) {
        if (ts.isPropertyAssignment(property)) visit(property.initializer, name, false);
      }
    } else if (ts.isNewExpression(node)) {
      report(node, name, `new ${node.expression.getText(source)}`);
    }
  };
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (declaration.initializer !== undefined) visit(declaration.initializer, declaration.name.getText(source), false);
    }
  }
  return found;
}
