import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../src/errors/index.js';
import { parseComfyUIOptions } from '../../../../src/providers/comfyui/comfyui-options.js';
import {
  fillWorkflow,
  loadWorkflow,
  type PlaceholderValues,
} from '../../../../src/providers/comfyui/comfyui-workflow.js';

const directory = mkdtempSync(join(tmpdir(), 'comfyui-workflow-'));

function writeWorkflow(name: string, content: unknown): string {
  const path = join(directory, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function load(file: string) {
  return loadWorkflow({ model: 'test', file, dataDir: directory, optionKey: 'options.workflows.test' });
}

function failure(run: () => unknown): InvalidRequestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error('expected a failure');
}

const values: PlaceholderValues = {
  prompt: 'a "quoted" {prompt}, with \\ backslash and }} braces',
  negative_prompt: 'blurry',
  seed: 42,
  width: 832,
  height: 1216,
  seconds: 3,
  frames: 24,
  fps: 8,
  input_image: 'atelier-abc.png',
  last_frame: '',
};

describe('ComfyUI workflows', () => {
  it('loads the SDXL example relative to the data directory and finds its placeholders', () => {
    const workflow = loadWorkflow({
      model: 'sdxl',
      file: 'examples/comfyui/sdxl-text-to-image.json',
      dataDir: process.cwd(),
      optionKey: 'options.workflows.sdxl',
    });
    expect([...workflow.placeholders].sort()).toEqual([
      'height',
      'negative_prompt',
      'prompt',
      'seed',
      'width',
    ]);
    expect(workflow.graph['3']?.class_type).toBe('KSampler');
  });

  it('fills numbers as numbers and text as whole strings, without touching the loaded graph', () => {
    const path = writeWorkflow('fill.json', {
      '1': {
        class_type: 'KSampler',
        inputs: { seed: '{{seed}}', steps: 20, model: ['2', 0], note: '{{ width }}x{{height}} run {{seed}}' },
      },
      '2': { class_type: 'CLIPTextEncode', inputs: { text: '{{prompt}}', list: ['{{negative_prompt}}', 3] } },
    });
    const workflow = load(path);
    const filled = fillWorkflow(workflow, values);
    expect(filled['1']!.inputs).toEqual({
      seed: 42,
      steps: 20,
      model: ['2', 0],
      note: '832x1216 run 42',
    });
    expect(filled['2']!.inputs.text).toBe(values.prompt);
    expect(filled['2']!.inputs.list).toEqual(['blurry', 3]);
    // The prompt's quotes and braces survive a JSON round trip as one string.
    expect(JSON.parse(JSON.stringify(filled))['2'].inputs.text).toBe(values.prompt);
    expect(workflow.graph['1']!.inputs.seed).toBe('{{seed}}');
  });

  it('refuses an unknown placeholder at load time, naming the option and the place', () => {
    const path = writeWorkflow('unknown.json', {
      '6': { class_type: 'CLIPTextEncode', inputs: { text: '{{prompt}} {{style}}' } },
    });
    const error = failure(() => load(path));
    expect(error.param).toBe('options.workflows.test');
    expect(error.message).toContain('unknown placeholder {{style}} at node "6".inputs.text');
  });

  it('explains the UI format, broken JSON, a missing file and a node without class_type', () => {
    expect(failure(() => load(writeWorkflow('ui.json', { nodes: [], links: [] }))).message).toContain(
      'Save (API)',
    );
    expect(failure(() => load(writeWorkflow('broken.json', '{"1": '))).message).toContain('is not JSON');
    expect(failure(() => load('missing.json')).message).toContain('cannot read');
    expect(failure(() => load(writeWorkflow('bad-node.json', { '1': { inputs: {} } }))).message).toContain(
      'node "1" needs a class_type',
    );
  });
});

describe('ComfyUI options', () => {
  it('names the offending key', () => {
    const error = failure(() =>
      parseComfyUIOptions('comfy', { workflows: { sdxl: { file: 'a.json', kind: 'audio' } } }),
    );
    expect(error.param).toBe('options.workflows.sdxl.kind');
    expect(error.message).toContain("Provider 'comfy': options.workflows.sdxl.kind");
    expect(failure(() => parseComfyUIOptions('comfy', { workflow: {} })).message).toContain('options');
  });

  it('accepts an empty configuration', () => {
    expect(parseComfyUIOptions('comfy', undefined)).toEqual({ workflows: {}, poll_interval_ms: 1000 });
  });
});
