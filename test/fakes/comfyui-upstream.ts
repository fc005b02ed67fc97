/**
 * A fake ComfyUI speaking its real HTTP and WebSocket protocol (server.py and execution.py):
 *   POST /prompt {prompt, client_id, extra_data} → {prompt_id, number, node_errors}, or 400 with
 *        {error, node_errors} for an unknown class, a missing required input, a wrongly typed INT, a link to
 *        a missing node, a LoadImage file never uploaded, or a graph without output nodes;
 *   GET  /ws?clientId= → status on connect; per run execution_start, execution_cached, executing,
 *        progress (and a binary preview frame), executed, execution_success or execution_error /
 *        execution_interrupted, then executing {node: null};
 *   GET  /history/{id}, GET /queue, POST /queue {delete}, POST /interrupt, POST /upload/image (multipart),
 *   GET  /view (PNG made with sharp; MP4 from FFmpeg's testsrc, generated once).
 * ComfyUI has no keys, so faults (faults.ts) are keyed on the prompt text: a workflow whose strings contain
 * "fault-500" is answered 500, and so on. "fault-exec" makes the run itself fail with execution_error.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RecordedRequest } from './fake-server.js';
import { faultForKey, sleep } from './faults.js';

export interface FakeComfyUIOptions {
  /** Refuse WebSocket upgrades (a proxy without WebSocket support): clients must poll /history. */
  websocket?: boolean;
  /** Pause between progress steps of a sampler. */
  stepDelayMs?: number;
}

export interface FakeComfyUI {
  url: string;
  /** Every HTTP request; a multipart body is kept as the raw Buffer. */
  requests: RecordedRequest[];
  /** Uploaded input files by name. */
  uploads: Map<string, Buffer>;
  /** Every socket event sent, per client id, in order (text frames only). */
  events: Map<string, Array<{ type: string; data: Record<string, unknown> }>>;
  close(): Promise<void>;
}

type Graph = Record<string, { class_type?: unknown; inputs?: Record<string, unknown> }>;

interface QueueItem {
  number: number;
  promptId: string;
  graph: Graph;
  extraData: Record<string, unknown>;
  clientId: string;
  outputs: string[];
}

/** Required inputs of the node classes the examples use (a small slice of ComfyUI's INPUT_TYPES). */
const requiredInputs: Record<string, string[]> = {
  CheckpointLoaderSimple: ['ckpt_name'],
  ImageOnlyCheckpointLoader: ['ckpt_name'],
  EmptyLatentImage: ['width', 'height', 'batch_size'],
  CLIPTextEncode: ['text', 'clip'],
  KSampler: [
    'model',
    'seed',
    'steps',
    'cfg',
    'sampler_name',
    'scheduler',
    'positive',
    'negative',
    'latent_image',
    'denoise',
  ],
  VAEDecode: ['samples', 'vae'],
  SaveImage: ['images', 'filename_prefix'],
  PreviewImage: ['images'],
  LoadImage: ['image'],
  SVD_img2vid_Conditioning: [
    'clip_vision',
    'init_image',
    'vae',
    'width',
    'height',
    'video_frames',
    'motion_bucket_id',
    'fps',
    'augmentation_level',
  ],
  VideoLinearCFGGuidance: ['model', 'min_cfg'],
  CreateVideo: ['images', 'fps'],
  SaveVideo: ['video', 'filename_prefix', 'format', 'codec'],
  SaveAnimatedWEBP: ['images', 'filename_prefix', 'fps'],
  VHS_VideoCombine: ['images', 'frame_rate', 'filename_prefix', 'format'],
};

const integerInputs = new Set(['seed', 'steps', 'width', 'height', 'batch_size', 'video_frames']);
const outputClasses = new Set([
  'SaveImage',
  'PreviewImage',
  'SaveVideo',
  'SaveAnimatedWEBP',
  'VHS_VideoCombine',
]);

export async function startFakeComfyUI(options: FakeComfyUIOptions = {}): Promise<FakeComfyUI> {
  const stepDelayMs = options.stepDelayMs ?? 2;
  const requests: RecordedRequest[] = [];
  const uploads = new Map<string, Buffer>();
  const files = new Map<string, { data: Buffer; contentType: string }>();
  const history = new Map<string, Record<string, unknown>>();
  const events = new Map<string, Array<{ type: string; data: Record<string, unknown> }>>();
  const sockets = new Map<string, Set<WebSocket>>();
  const pending: QueueItem[] = [];
  let running: QueueItem | undefined;
  let interrupted = false;
  let counter = 0;

  const send = (clientId: string, type: string, data: Record<string, unknown>) => {
    const log = events.get(clientId) ?? [];
    log.push({ type, data });
    events.set(clientId, log);
    for (const socket of sockets.get(clientId) ?? []) socket.send(JSON.stringify({ type, data }));
  };
  const broadcastStatus = () => {
    const status = { status: { exec_info: { queue_remaining: pending.length + (running ? 1 : 0) } } };
    for (const [clientId, set] of sockets) {
      for (const socket of set)
        socket.send(JSON.stringify({ type: 'status', data: { ...status, sid: clientId } }));
    }
  };

  const execute = async (item: QueueItem) => {
    const { promptId, clientId, graph } = item;
    const messages: Array<[string, Record<string, unknown>]> = [];
    const emit = (type: string, data: Record<string, unknown>, keep = false) => {
      const full = { ...data, prompt_id: promptId };
      send(clientId, type, full);
      if (keep) messages.push([type, { ...full, timestamp: Date.now() }]);
    };
    emit('execution_start', {}, true);
    emit('execution_cached', { nodes: [] }, true);
    const outputs: Record<string, unknown> = {};
    let failure: 'error' | 'interrupted' | undefined;
    for (const [id, node] of Object.entries(graph)) {
      const classType = String(node.class_type);
      emit('executing', { node: id, display_node: id });
      if (classType === 'KSampler' && typeof node.inputs?.steps === 'number') {
        const steps = Math.min(node.inputs.steps, 20);
        for (let value = 1; value <= steps; value++) {
          await sleep(stepDelayMs);
          if (interrupted) break;
          emit('progress', { value, max: steps, node: id });
          if (value === 1) sendPreview(sockets.get(clientId));
        }
      }
      if (interrupted) {
        emit('execution_interrupted', { node_id: id, node_type: classType, executed: [] }, true);
        failure = 'interrupted';
        break;
      }
      if (classType === 'CLIPTextEncode' && String(node.inputs?.text).includes('fault-exec')) {
        emit(
          'execution_error',
          {
            node_id: id,
            node_type: classType,
            executed: [],
            exception_message: 'CUDA out of memory. Tried to allocate 2.00 GiB',
            exception_type: 'torch.OutOfMemoryError',
            traceback: [],
          },
          true,
        );
        failure = 'error';
        break;
      }
      const output = await saveOutput(id, classType, node.inputs ?? {}, graph, files);
      if (output) {
        outputs[id] = output;
        emit('executed', { node: id, display_node: id, output });
      }
    }
    if (!failure) emit('execution_success', {}, true);
    history.set(promptId, {
      prompt: [item.number, promptId, graph, item.extraData, item.outputs],
      outputs,
      status: {
        status_str: failure ? 'error' : 'success',
        completed: !failure,
        messages,
      },
      meta: {},
    });
    send(clientId, 'executing', { node: null, prompt_id: promptId });
  };

  const work = async () => {
    if (running) return;
    pending.sort((a, b) => a.number - b.number);
    const next = pending.shift();
    if (!next) return;
    running = next;
    interrupted = false;
    broadcastStatus();
    await execute(next);
    running = undefined;
    broadcastStatus();
    void work();
  };

  const handle = async (request: IncomingMessage, response: ServerResponse, recorded: RecordedRequest) => {
    const { method, path } = recorded;
    if (method === 'POST' && path === '/prompt') return submit(recorded, response);
    if (method === 'GET' && path.startsWith('/history/')) {
      const id = decodeURIComponent(path.slice('/history/'.length));
      const entry = history.get(id);
      return json(response, 200, entry ? { [id]: entry } : {});
    }
    if (method === 'GET' && path === '/queue') {
      const row = (item: QueueItem) => [item.number, item.promptId, item.graph, item.extraData, item.outputs];
      return json(response, 200, {
        queue_running: running ? [row(running)] : [],
        queue_pending: pending.map(row),
      });
    }
    if (method === 'POST' && path === '/queue') {
      const body = recorded.body as { delete?: unknown; clear?: unknown };
      const doomed = new Set(Array.isArray(body?.delete) ? body.delete : []);
      for (let index = pending.length - 1; index >= 0; index--) {
        if (body?.clear === true || doomed.has(pending[index]!.promptId)) pending.splice(index, 1);
      }
      response.writeHead(200).end();
      return;
    }
    if (method === 'POST' && path === '/interrupt') {
      const target = (recorded.body as { prompt_id?: unknown } | undefined)?.prompt_id;
      if (running && (target === undefined || target === running.promptId)) interrupted = true;
      response.writeHead(200).end();
      return;
    }
    if (method === 'POST' && path === '/upload/image') return upload(request, recorded, response);
    if (method === 'GET' && path === '/view') {
      const query = recorded.query;
      const key = fileKey(
        query.get('type') ?? 'output',
        query.get('subfolder') ?? '',
        query.get('filename') ?? '',
      );
      const file =
        files.get(key) ?? (query.get('type') === 'input' ? inputFile(query.get('filename')) : undefined);
      if (!file) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': file.contentType, 'content-length': file.data.length });
      response.end(file.data);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
  };

  const inputFile = (name: string | null) => {
    const data = name ? uploads.get(name) : undefined;
    return data ? { data, contentType: 'image/png' } : undefined;
  };

  const submit = async (recorded: RecordedRequest, response: ServerResponse) => {
    const body = recorded.body as { prompt?: unknown; client_id?: unknown; extra_data?: unknown };
    const graph = body?.prompt;
    if (!graph || typeof graph !== 'object' || Array.isArray(graph)) {
      return json(
        response,
        400,
        rejection('invalid_prompt', 'Invalid prompt', 'prompt must be an object', {}),
      );
    }
    const fault = faultForKey(/fault-[a-z0-9-]+/.exec(JSON.stringify(graph))?.[0]);
    if (fault.kind === 'reset') {
      response.socket?.destroy();
      return;
    }
    if (fault.kind === 'slow') await sleep(fault.delayMs);
    if (fault.kind === 'cut') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"prompt_id": "');
      setTimeout(() => response.socket?.destroy(), 20);
      return;
    }
    if (fault.kind === 'status') {
      if (fault.status === 400) {
        return json(response, 400, rejection('invalid_prompt', 'Invalid prompt', 'fault-400 requested', {}));
      }
      response.writeHead(fault.status, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`${fault.status}: ${fault.status === 500 ? 'Internal Server Error' : 'Error'}`);
      return;
    }
    const problem = validate(graph as Graph, uploads);
    if (problem) return json(response, 400, problem);
    const item: QueueItem = {
      number: counter++,
      promptId: randomUUID(),
      graph: graph as Graph,
      extraData: (body.extra_data as Record<string, unknown>) ?? {},
      clientId: typeof body.client_id === 'string' ? body.client_id : '',
      outputs: Object.keys(graph).filter((id) => outputClasses.has(String((graph as Graph)[id]!.class_type))),
    };
    pending.push(item);
    json(response, 200, { prompt_id: item.promptId, number: item.number, node_errors: {} });
    setImmediate(() => void work());
  };

  const upload = async (request: IncomingMessage, recorded: RecordedRequest, response: ServerResponse) => {
    const parts = parseMultipart(String(request.headers['content-type']), recorded.body as Buffer);
    const image = parts.find((part) => part.name === 'image');
    if (!image?.filename) {
      response.writeHead(400).end();
      return;
    }
    const overwrite = parts.find((part) => part.name === 'overwrite')?.data.toString() === 'true';
    let name = image.filename;
    const dot = name.lastIndexOf('.');
    // Like ComfyUI: an existing file with the same bytes is reused, another one gets " (n)" appended.
    for (let n = 1; !overwrite && uploads.has(name) && !uploads.get(name)!.equals(image.data); n++) {
      name = `${image.filename.slice(0, dot)} (${n})${image.filename.slice(dot)}`;
    }
    uploads.set(name, image.data);
    json(response, 200, { name, subfolder: '', type: 'input' });
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    let body: unknown = raw;
    if (String(request.headers['content-type']).startsWith('application/json')) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = raw.toString('utf8');
      }
    }
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
    };
    requests.push(recorded);
    try {
      await handle(request, response, recorded);
    } catch (error) {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    }
  });

  const socketServer = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    if (options.websocket === false || url.pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    socketServer.handleUpgrade(request, socket, head, (client) => {
      const clientId = url.searchParams.get('clientId') ?? randomUUID().replaceAll('-', '');
      const set = sockets.get(clientId) ?? new Set();
      set.add(client);
      sockets.set(clientId, set);
      client.on('close', () => set.delete(client));
      const remaining = pending.length + (running ? 1 : 0);
      client.send(
        JSON.stringify({
          type: 'status',
          data: { status: { exec_info: { queue_remaining: remaining } }, sid: clientId },
        }),
      );
    });
  });

  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    uploads,
    events,
    close: async () => {
      interrupted = true;
      pending.length = 0;
      for (const client of socketServer.clients) client.terminate();
      socketServer.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

function rejection(type: string, message: string, details: string, nodeErrors: Record<string, unknown>) {
  return { error: { type, message, details, extra_info: {} }, node_errors: nodeErrors };
}

/** ComfyUI's validate_prompt, for the node classes above. */
function validate(graph: Graph, uploads: Map<string, Buffer>): Record<string, unknown> | undefined {
  for (const [id, node] of Object.entries(graph)) {
    if (typeof node?.class_type !== 'string' || !(node.class_type in requiredInputs)) {
      return rejection(
        'invalid_prompt',
        `Cannot execute because node ${String(node?.class_type)} does not exist.`,
        `Node ID '#${id}'`,
        {},
      );
    }
  }
  const outputs = Object.keys(graph).filter((id) => outputClasses.has(String(graph[id]!.class_type)));
  if (outputs.length === 0) {
    return {
      error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} },
      node_errors: [],
    };
  }
  const nodeErrors: Record<string, unknown> = {};
  for (const [id, node] of Object.entries(graph)) {
    const classType = String(node.class_type);
    const inputs = node.inputs ?? {};
    const errors: Array<Record<string, unknown>> = [];
    for (const name of requiredInputs[classType]!) {
      const value = inputs[name];
      if (value === undefined) {
        errors.push({
          type: 'required_input_missing',
          message: 'Required input is missing',
          details: name,
          extra_info: { input_name: name },
        });
      } else if (Array.isArray(value) && !(String(value[0]) in graph)) {
        errors.push({
          type: 'bad_linked_input',
          message: 'Bad linked input, must be a length-2 list of [string, int]',
          details: `${name}, ${JSON.stringify(value)}`,
          extra_info: { input_name: name },
        });
      } else if (integerInputs.has(name) && !Array.isArray(value) && !Number.isInteger(value)) {
        errors.push({
          type: 'invalid_input_type',
          message: 'Failed to convert an input value to a INT value',
          details: `${name}, ${JSON.stringify(value)}, invalid literal for int() with base 10: ${JSON.stringify(value)}`,
          extra_info: { input_name: name },
        });
      }
    }
    if (classType === 'LoadImage' && typeof inputs.image === 'string' && !uploads.has(inputs.image)) {
      errors.push({
        type: 'custom_validation_failed',
        message: 'Custom validation failed for node',
        details: `image - Invalid image file: ${inputs.image}`,
        extra_info: {},
      });
    }
    if (errors.length > 0) nodeErrors[id] = { errors, dependent_outputs: outputs, class_type: classType };
  }
  if (Object.keys(nodeErrors).length === 0) return undefined;
  return rejection('prompt_outputs_failed_validation', 'Prompt outputs failed validation', '', nodeErrors);
}

function fileKey(type: string, subfolder: string, filename: string): string {
  return `${type}/${subfolder}/${filename}`;
}

/** Run an output node: write its file(s) and return the `output` ComfyUI reports for it. */
async function saveOutput(
  id: string,
  classType: string,
  inputs: Record<string, unknown>,
  graph: Graph,
  files: Map<string, { data: Buffer; contentType: string }>,
): Promise<Record<string, unknown> | undefined> {
  if (!outputClasses.has(classType)) return undefined;
  const prefix = String(inputs.filename_prefix ?? 'ComfyUI');
  const slash = prefix.lastIndexOf('/');
  const subfolder = slash === -1 ? '' : prefix.slice(0, slash);
  const base = `${slash === -1 ? prefix : prefix.slice(slash + 1)}_${String(files.size + 1).padStart(5, '0')}_`;
  const type = classType === 'PreviewImage' ? 'temp' : 'output';
  const store = (filename: string, data: Buffer, contentType: string) => {
    files.set(fileKey(type, subfolder, filename), { data, contentType });
    return { filename, subfolder, type };
  };
  if (classType === 'SaveImage' || classType === 'PreviewImage') {
    return { images: [store(`${base}.png`, await renderImage(graph), 'image/png')] };
  }
  if (classType === 'SaveAnimatedWEBP') {
    const data = await sharp(await renderImage(graph))
      .webp()
      .toBuffer();
    return { images: [store(`${base}.webp`, data, 'image/webp')], animated: [true] };
  }
  const video = store(`${base}.mp4`, await testVideo(), 'video/mp4');
  if (classType === 'VHS_VideoCombine') return { gifs: [{ ...video, format: 'video/h264-mp4' }] };
  return { images: [video], animated: [true] };
}

/** A PNG of the latent's size, coloured by the sampler's seed so different seeds give different bytes. */
async function renderImage(graph: Graph): Promise<Buffer> {
  const nodes = Object.values(graph);
  const latent = nodes.find(
    (node) => typeof node.inputs?.width === 'number' && typeof node.inputs?.height === 'number',
  );
  const width = Number(latent?.inputs?.width ?? 64);
  const height = Number(latent?.inputs?.height ?? 64);
  const seed = Number(nodes.find((node) => typeof node.inputs?.seed === 'number')?.inputs?.seed ?? 0);
  return sharp({
    create: { width, height, channels: 3, background: { r: seed % 256, g: (seed >> 8) % 256, b: 128 } },
  })
    .png()
    .toBuffer();
}

let testVideoBytes: Promise<Buffer> | undefined;

/** A one-second 160x90 H.264 clip from FFmpeg's test pattern, made once per test process. */
function testVideo(): Promise<Buffer> {
  testVideoBytes ??= (async () => {
    const directory = await mkdtemp(join(tmpdir(), 'fake-comfyui-'));
    const output = join(directory, 'testsrc.mp4');
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        'ffmpeg',
        [
          '-v',
          'error',
          '-f',
          'lavfi',
          '-i',
          'testsrc=size=160x90:rate=8:duration=1',
          '-pix_fmt',
          'yuv420p',
          '-c:v',
          'libx264',
          output,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg failed: ${stderr}`))));
    });
    const data = await readFile(output);
    await rm(directory, { recursive: true, force: true });
    return data;
  })();
  return testVideoBytes;
}

/** Sampler previews arrive as binary frames: event type 1 (PREVIEW_IMAGE), format 2 (PNG), the image. */
function sendPreview(clients: Set<WebSocket> | undefined): void {
  if (!clients) return;
  const header = Buffer.alloc(8);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(2, 4);
  const frame = Buffer.concat([header, Buffer.from('89504e470d0a1a0a', 'hex')]);
  for (const client of clients) client.send(frame, { binary: true });
}

interface MultipartPart {
  name: string;
  filename?: string;
  data: Buffer;
}

function parseMultipart(contentType: string, body: Buffer): MultipartPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: MultipartPart[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString('utf8');
    const name = /name="([^"]*)"/.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    if (name !== undefined) {
      parts.push({ name, ...(filename === undefined ? {} : { filename }), data: part.subarray(split + 4) });
    }
    start = next;
  }
  return parts;
}
