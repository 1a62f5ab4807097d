/** A fetch that answers from a script and records what it was asked. */
export interface Recorded {
  url: string;
  headers: Record<string, string>;
}

export type Answer = (request: Recorded, signal: AbortSignal | undefined) => Response | Promise<Response>;

export function scriptedFetch(answers: Answer[], routes: Record<string, Answer> = {}): { fetch: typeof fetch; requests: Recorded[] } {
  const requests: Recorded[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const request = { url: String(input), headers };
    // a request whose path ends with a route's key gets that route's answer, every time, and is not recorded
    const route = Object.keys(routes).find((suffix) => new URL(request.url).pathname.endsWith(suffix));
    if (route) {
      return routes[route]!(request, init?.signal ?? undefined);
    }
    requests.push(request);
    const answer = answers.shift();
    if (!answer) {
      // no more answers: a connection that stays open until aborted
      return new Response(new ReadableStream({
        start(controller) {
          init?.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
        },
      }), { headers: { 'Content-Type': 'text/event-stream' } });
    }
    return answer(request, init?.signal ?? undefined);
  }) as typeof fetch;
  return { fetch: fetchImpl, requests };
}

/** An SSE answer that sends these chunks as they are (split anywhere) and then ends. */
export function sse(...chunks: string[]): Answer {
  return () => {
    const encoder = new TextEncoder();
    return new Response(new ReadableStream({
      start(controller) {
        for (const chunk of chunks) {
          controller.enqueue(encoder.encode(chunk));
        }
        controller.close();
      },
    }), { headers: { 'Content-Type': 'text/event-stream' } });
  };
}

export function json(body: unknown, status = 200): Answer {
  return () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

export function log(id: number, message = `line ${id}`): string {
  return JSON.stringify({ id, type: 'task', job_run_id: 'j', task_run_id: 't', timestamp: '2026-11-29T08:00:00.000000Z',
    level: 'info', stream: 'stdout', message, metadata: null });
}

export function event(id: number, message?: string): string {
  return `id: ${id}\nevent: log\ndata: ${log(id, message)}\n\n`;
}
