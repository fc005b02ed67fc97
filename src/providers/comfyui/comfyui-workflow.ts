/**
 * API-format workflows ("Save (API)": node id → {class_type, inputs}) with `{{placeholder}}` strings.
 *
 * Substitution walks the parsed JSON and replaces values, never text: a prompt full of quotes and braces
 * lands in one string input and cannot change the graph.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InvalidRequestError } from '../../errors/index.js';

export const numericPlaceholders = ['seed', 'width', 'height', 'seconds', 'frames', 'fps'] as const;
export const textPlaceholders = ['prompt', 'negative_prompt', 'input_image', 'last_frame'] as const;

export type NumericPlaceholder = (typeof numericPlaceholders)[number];
export type TextPlaceholder = (typeof textPlaceholders)[number];
export type Placeholder = NumericPlaceholder | TextPlaceholder;
export type PlaceholderValues = Record<NumericPlaceholder, number> & Record<TextPlaceholder, string>;

export interface WorkflowNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}

export type WorkflowGraph = Record<string, WorkflowNode>;

export interface Workflow {
  /** The Atelier model name it serves. */
  model: string;
  graph: WorkflowGraph;
  /** Placeholders the file uses; a request must be able to fill each of them. */
  placeholders: ReadonlySet<Placeholder>;
}

const placeholderPattern = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const knownPlaceholders = new Set<string>([...numericPlaceholders, ...textPlaceholders]);
const isNumeric = (name: string): name is NumericPlaceholder =>
  (numericPlaceholders as readonly string[]).includes(name);

/** Read and check a workflow file; `optionKey` (options.workflows.<model>) is named in every error. */
export function loadWorkflow(input: {
  model: string;
  file: string;
  dataDir: string | undefined;
  optionKey: string;
}): Workflow {
  const path = isAbsolute(input.file) ? input.file : resolve(input.dataDir ?? '.', input.file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw workflowError(input.optionKey, `cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw workflowError(input.optionKey, `${path} is not JSON: ${(error as Error).message}`);
  }
  const graph = checkGraph(parsed, path, input.optionKey);
  return { model: input.model, graph, placeholders: scanPlaceholders(graph, input.optionKey) };
}

function checkGraph(value: unknown, path: string, optionKey: string): WorkflowGraph {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw workflowError(optionKey, `${path} must hold a JSON object of nodes`);
  }
  if ('nodes' in value && 'links' in value) {
    throw workflowError(
      optionKey,
      `${path} is in ComfyUI's UI format; export it with "Save (API)" (enable dev mode options) instead`,
    );
  }
  const entries = Object.entries(value);
  if (entries.length === 0) throw workflowError(optionKey, `${path} has no nodes`);
  for (const [id, node] of entries) {
    const candidate = node as Partial<WorkflowNode> | null;
    if (
      !candidate ||
      typeof candidate.class_type !== 'string' ||
      typeof candidate.inputs !== 'object' ||
      candidate.inputs === null
    ) {
      throw workflowError(optionKey, `${path}: node "${id}" needs a class_type string and an inputs object`);
    }
  }
  return value as WorkflowGraph;
}

function scanPlaceholders(graph: WorkflowGraph, optionKey: string): Set<Placeholder> {
  const found = new Set<Placeholder>();
  visitStrings(graph, (text, where) => {
    for (const match of text.matchAll(placeholderPattern)) {
      const name = match[1]!;
      if (!knownPlaceholders.has(name)) {
        throw workflowError(
          optionKey,
          `unknown placeholder {{${name}}} at ${where}; known: ${[...knownPlaceholders].join(', ')}`,
        );
      }
      found.add(name as Placeholder);
    }
  });
  return found;
}

function visitStrings(value: unknown, visit: (text: string, where: string) => void, where = ''): void {
  if (typeof value === 'string') visit(value, where);
  else if (Array.isArray(value))
    value.forEach((item, index) => visitStrings(item, visit, `${where}[${index}]`));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      visitStrings(item, visit, where === '' ? `node "${key}"` : `${where}.${key}`);
    }
  }
}

/** A fresh graph with every placeholder filled; the loaded workflow is never modified. */
export function fillWorkflow(workflow: Workflow, values: PlaceholderValues): WorkflowGraph {
  return fillValue(workflow.graph, values) as WorkflowGraph;
}

function fillValue(value: unknown, values: PlaceholderValues): unknown {
  if (typeof value === 'string') return fillString(value, values);
  if (Array.isArray(value)) return value.map((item) => fillValue(item, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillValue(item, values)]));
  }
  return value;
}

function fillString(text: string, values: PlaceholderValues): string | number {
  const whole = /^\{\{\s*([A-Za-z0-9_]+)\s*\}\}$/.exec(text);
  // A string that is exactly one numeric placeholder becomes a number, as ComfyUI's INT/FLOAT inputs need.
  if (whole && isNumeric(whole[1]!)) return values[whole[1]];
  return text.replace(placeholderPattern, (_match, name: string) => String(values[name as Placeholder]));
}

function workflowError(optionKey: string, detail: string): InvalidRequestError {
  return new InvalidRequestError(`${optionKey}: ${detail}`, optionKey, 'invalid_workflow');
}
