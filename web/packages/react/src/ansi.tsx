import Anser from 'anser';
import type { ReactNode } from 'react';
import { highlight } from './Toolbar.js';

/**
 * A line of subprocess output with ANSI colour codes as coloured spans of text. The text always goes in as
 * text (React escapes it); the codes only choose class names, or for 24-bit colours a CSSOM colour, which a
 * Content-Security-Policy without 'unsafe-inline' allows.
 */
export function AnsiText({ text, query }: { text: string; query?: string | undefined }): ReactNode {
  if (!text.includes('\u001b')) {
    return highlight(text, query);
  }
  const parts = Anser.ansiToJson(text, { use_classes: true, remove_empty: true });
  return parts.map((part, i) => {
    const classes: string[] = [];
    const style: Record<string, string> = {};
    if (part.fg) {
      if (part.fg.includes(',')) {
        style.color = `rgb(${part.fg})`;
      } else {
        classes.push(`${part.fg}-fg`);
      }
    }
    if (part.bg) {
      if (part.bg.includes(',')) {
        style.backgroundColor = `rgb(${part.bg})`;
      } else {
        classes.push(`${part.bg}-bg`);
      }
    }
    for (const decoration of part.decorations ?? []) {
      classes.push(`ansi-${decoration}`);
    }
    return (
      <span key={i} className={classes.length > 0 ? classes.join(' ') : undefined} style={Object.keys(style).length > 0 ? style : undefined}>
        {highlight(part.content, query)}
      </span>
    );
  });
}
