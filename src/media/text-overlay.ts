/**
 * Text drawn onto video. The text itself goes into a file we write and drawtext reads it with
 * `expansion=none`, so no character of it is ever parsed as filter syntax or as a `%{…}` expansion.
 */
import * as z from 'zod';
import { filter } from './filter-escaping.js';
import { ffmpegColor, fontName, hexColor, position, type Position } from './option-schemas.js';

export const textStyleSchema = z.strictObject({
  font: fontName.default('DejaVu Sans'),
  size: z.number().int().min(6).max(400).default(32),
  color: hexColor.default('#ffffff'),
  outline_color: hexColor.default('#000000'),
  outline_width: z.number().min(0).max(20).default(2),
  box_color: hexColor.optional(),
  position: position.default('bottom'),
  margin: z.number().int().min(0).max(2000).default(24),
});
export type TextStyle = z.output<typeof textStyleSchema>;

/** The variable names a filter uses for its frame and for the item placed on it. */
export interface PlacementNames {
  frameWidth: string;
  frameHeight: string;
  itemWidth: string;
  itemHeight: string;
}

/** x/y expressions that put an item at a named position with a margin. */
export function positionExpressions(where: Position, margin: number, names: PlacementNames) {
  const { frameWidth, frameHeight, itemWidth, itemHeight } = names;
  const x = where.endsWith('left')
    ? String(margin)
    : where.endsWith('right')
      ? `${frameWidth}-${itemWidth}-${margin}`
      : `(${frameWidth}-${itemWidth})/2`;
  const y = where.startsWith('top')
    ? String(margin)
    : where.startsWith('bottom')
      ? `${frameHeight}-${itemHeight}-${margin}`
      : `(${frameHeight}-${itemHeight})/2`;
  return { x, y };
}

export interface TimeWindow {
  start: number;
  end: number;
}

export function enableBetween(window: TimeWindow | undefined): string | undefined {
  return window === undefined ? undefined : `between(t,${window.start},${window.end})`;
}

/** One drawtext filter reading `textFilePath` (a file we wrote), styled from typed values only. */
export function drawtextFilter(style: TextStyle, textFilePath: string, window?: TimeWindow): string {
  const { x, y } = positionExpressions(style.position, style.margin, {
    frameWidth: 'w',
    frameHeight: 'h',
    itemWidth: 'text_w',
    itemHeight: 'text_h',
  });
  return filter('drawtext', {
    font: style.font,
    textfile: textFilePath,
    expansion: 'none',
    fontsize: style.size,
    fontcolor: ffmpegColor(style.color),
    borderw: style.outline_width,
    bordercolor: ffmpegColor(style.outline_color),
    box: style.box_color === undefined ? undefined : 1,
    boxcolor: style.box_color === undefined ? undefined : ffmpegColor(style.box_color),
    boxborderw: style.box_color === undefined ? undefined : Math.round(style.size / 4),
    x,
    y,
    enable: enableBetween(window),
  });
}
