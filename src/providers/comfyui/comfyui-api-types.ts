/**
 * ComfyUI's HTTP and WebSocket answers, as loose zod schemas keeping only what Atelier reads.
 * (server.py: POST /prompt, GET /history/{id}, GET /queue, POST /upload/image; the /ws event stream.)
 */
import * as z from 'zod';

export const promptAcceptedSchema = z.looseObject({
  prompt_id: z.string(),
  number: z.number().nullish(),
  node_errors: z.record(z.string(), z.unknown()).nullish(),
});

/** One saved file: fetch it with GET /view?filename=&subfolder=&type=. */
export const outputFileSchema = z.looseObject({
  filename: z.string(),
  subfolder: z.string().nullish(),
  type: z.string().nullish(),
  /** VideoHelperSuite puts the container's MIME type here ("video/h264-mp4"). */
  format: z.string().nullish(),
});

export const nodeOutputSchema = z.looseObject({
  images: z.array(outputFileSchema).nullish(),
  gifs: z.array(outputFileSchema).nullish(),
  videos: z.array(outputFileSchema).nullish(),
  /** Core SaveAnimatedWEBP/SaveVideo mark their `images` entries as animation with [true]. */
  animated: z.array(z.boolean()).nullish(),
});

export const historyEntrySchema = z.looseObject({
  /** [number, prompt_id, prompt, extra_data, outputs_to_execute, …] */
  prompt: z.array(z.unknown()).nullish(),
  outputs: z.record(z.string(), nodeOutputSchema).nullish(),
  status: z
    .looseObject({
      status_str: z.string().nullish(),
      completed: z.boolean().nullish(),
      /** [[event name, data], …] — the execution_error entry carries the exception. */
      messages: z.array(z.tuple([z.string(), z.unknown()])).nullish(),
    })
    .nullish(),
});

export const historySchema = z.record(z.string(), historyEntrySchema);

export const queueSchema = z.looseObject({
  queue_running: z.array(z.array(z.unknown())).nullish(),
  queue_pending: z.array(z.array(z.unknown())).nullish(),
});

export const uploadedImageSchema = z.looseObject({
  name: z.string(),
  subfolder: z.string().nullish(),
  type: z.string().nullish(),
});

/** Every text frame on /ws is {type, data}; the data of the ones Atelier follows is below. */
export const socketMessageSchema = z.looseObject({ type: z.string(), data: z.unknown() });

export const socketDataSchema = z.looseObject({
  prompt_id: z.string().nullish(),
  node: z.string().nullish(),
  nodes: z.array(z.string()).nullish(),
  value: z.number().nullish(),
  max: z.number().nullish(),
  exception_message: z.string().nullish(),
  node_type: z.string().nullish(),
});

export type OutputFile = z.infer<typeof outputFileSchema>;
export type NodeOutput = z.infer<typeof nodeOutputSchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type ComfyUIQueue = z.infer<typeof queueSchema>;
export type SocketData = z.infer<typeof socketDataSchema>;
