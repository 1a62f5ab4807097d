// The Stratal log viewer: pages of logs from the read API, new ones live from the SSE stream.
// No build step and no dependencies. Every text from the server goes into the page as text, never as HTML.
(function () {
  'use strict';

  const API = '/api/v1/logs';
  const PAGE = 200;
  const MAX_ROWS = 10000;
  const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

  const $ = (id) => document.getElementById(id);
  const view = $('view');
  const runId = $('run-id');
  const live = $('live');
  const state = $('state');
  const rowsBody = $('rows');
  const more = $('more');
  const empty = $('empty');
  const errorBox = $('error');
  const textFilter = $('text-filter');
  const count = $('count');

  const logs = new Map(); // id -> log; the table shows them in (timestamp, id) order
  let order = []; // the logs, sorted
  let shown = 0; // rows the filters leave visible, kept as rows come and go rather than counted each time
  let nextCursor = null;
  let source = null; // the EventSource
  let lastStreamId = null; // the last id the stream gave, to resume from after a pause
  let generation = 0; // bumps on every new query, so answers to an old one are ignored
  let filter = currentFilter(); // the level and text filters as a predicate

  const token = (() => {
    const hash = new URLSearchParams(location.hash.slice(1));
    const given = hash.get('token');
    if (given) {
      sessionStorage.setItem('stratal.token', given);
      history.replaceState(null, '', location.pathname + location.search); // keep it out of the address bar
    }
    return given || sessionStorage.getItem('stratal.token');
  })();

  function withToken(url) {
    return token ? url + (url.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(token) : url;
  }

  function setState(name, title) {
    state.dataset.state = name;
    state.textContent = name;
    state.title = title || name;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function needsId() {
    return view.value === 'job-runs' || view.value === 'task-runs';
  }

  function endpoint() {
    return needsId() ? API + '/' + view.value + '/' + encodeURIComponent(runId.value.trim()) : API + '/' + view.value;
  }

  // Which streamed logs belong to the current view (the server filters too; this guards a view change).
  function belongs(log) {
    switch (view.value) {
      case 'job-runs': return log.job_run_id === runId.value.trim().toLowerCase();
      case 'task-runs': return log.task_run_id === runId.value.trim().toLowerCase();
      case 'system': return log.type === 'system';
      default: return log.type === view.value.slice('type/'.length);
    }
  }

  function compare(a, b) {
    const ta = a.timestamp, tb = b.timestamp;
    if (ta !== tb) {
      if (ta === null) return 1; // no timestamp sorts last, as on the server
      if (tb === null) return -1;
      return ta < tb ? -1 : 1; // same-length ISO strings compare as times
    }
    return a.id - b.id;
  }

  function cell(row, className, text) {
    const td = document.createElement('td');
    td.className = className;
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function render(log) {
    const tr = document.createElement('tr');
    tr.dataset.id = log.id;
    tr.dataset.level = log.level;
    tr.className = log.stream === 'stderr' ? 'stderr' : '';
    cell(tr, 'time', log.timestamp ? log.timestamp.replace('T', ' ').replace('Z', '') : '');
    cell(tr, 'level', log.level);
    cell(tr, 'type', log.type + (log.task_run_id ? ' ' + log.task_run_id.slice(0, 8) : ''));
    cell(tr, 'stream', log.stream);
    const message = cell(tr, 'message', log.message);
    if (log.metadata && Object.keys(log.metadata).length > 0) {
      const details = document.createElement('details');
      details.className = 'metadata';
      const summary = document.createElement('summary');
      summary.textContent = 'metadata';
      const pre = document.createElement('pre');
      pre.textContent = JSON.stringify(log.metadata, null, 2);
      details.append(summary, pre);
      message.appendChild(details);
    }
    tr.hidden = !filter(log);
    return tr;
  }

  // The level and text filters, read from the page when they change, not once per row.
  function currentFilter() {
    const levels = new Set([...document.querySelectorAll('.level-filter:checked')].map((box) => box.value));
    const text = textFilter.value.trim().toLowerCase();
    return (log) => levels.has(log.level) && (!text || log.message.toLowerCase().includes(text));
  }

  // Adds logs not seen yet (a row may come from a page and from the stream) at their place in the order.
  function add(batch) {
    for (const log of batch) {
      if (logs.has(log.id)) continue;
      logs.set(log.id, log);
      let low = 0, high = order.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (compare(order[mid], log) < 0) low = mid + 1; else high = mid;
      }
      const tr = render(log);
      rowsBody.insertBefore(tr, low < order.length ? rowsBody.children[low] : null);
      order.splice(low, 0, log);
      if (!tr.hidden) shown++;
    }
    while (order.length > MAX_ROWS) { // keep the page light: the oldest go
      const oldest = order.shift();
      logs.delete(oldest.id);
      if (!rowsBody.firstChild.hidden) shown--;
      rowsBody.removeChild(rowsBody.firstChild);
    }
    updateCount();
  }

  function updateCount() {
    count.textContent = shown === logs.size ? logs.size + ' logs' : shown + ' of ' + logs.size + ' logs';
    empty.hidden = logs.size > 0;
  }

  function applyFilters() {
    filter = currentFilter();
    shown = 0;
    order.forEach((log, i) => {
      const hidden = !filter(log);
      rowsBody.children[i].hidden = hidden;
      if (!hidden) shown++;
    });
    updateCount();
  }

  async function fetchPage(mine) {
    const url = endpoint() + '?limit=' + PAGE + (nextCursor ? '&cursor=' + encodeURIComponent(nextCursor) : '');
    const response = await fetch(url, { headers: token ? { Authorization: 'Bearer ' + token } : {} });
    const body = await response.json().catch(() => ({ error: response.status + ' ' + response.statusText }));
    if (mine !== generation) return false;
    if (!response.ok) {
      showError(body.error || 'The server answered ' + response.status);
      more.hidden = true;
      return false;
    }
    add(body.logs);
    nextCursor = body.next_cursor;
    more.hidden = !body.has_more;
    return true;
  }

  function stopStream() {
    if (source) {
      source.close();
      source = null;
    }
    setState(live.checked ? 'idle' : 'paused');
  }

  function maxLoadedId() {
    let max = 0;
    logs.forEach((log, id) => { if (id > max) max = id; });
    return max;
  }

  // Opens the stream for the current view, after the first page is shown. When that page held every row
  // (no "Load more"), the stream starts after its highest id, so a row written between the page and the
  // stream is not lost; otherwise it starts live, and "Load more" reaches the rows written before it.
  // Nothing waits for the stream: the page shows even where a proxy holds streamed responses back.
  function startStream() {
    stopStream();
    if (!live.checked) return;
    let url = API + '/stream/sse';
    const params = new URLSearchParams();
    // the server filters the stream, so a view is sent only its own rows
    if (view.value === 'job-runs') params.set('job_run_id', runId.value.trim());
    else if (view.value === 'task-runs') params.set('task_run_id', runId.value.trim());
    else params.set('type', view.value === 'system' ? 'system' : view.value.slice('type/'.length));
    const after = lastStreamId !== null ? lastStreamId : (more.hidden ? maxLoadedId() : null);
    if (after !== null) params.set('after_id', after);
    if (params.toString()) url += '?' + params.toString();
    setState('connecting');
    const mine = generation;
    source = new EventSource(withToken(url)); // on a reconnect it sends Last-Event-ID by itself
    source.onerror = () => setState(source && source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    source.addEventListener('ready', (event) => {
      if (mine !== generation) return;
      if (event.lastEventId) lastStreamId = event.lastEventId;
      setState('live', 'new logs appear as they are written');
    });
    source.addEventListener('log', (event) => {
      if (mine !== generation) return;
      lastStreamId = event.lastEventId;
      const log = JSON.parse(event.data);
      if (belongs(log)) add([log]);
    });
    source.addEventListener('close', (event) => {
      // the server closed this stream (it fell behind); EventSource reconnects from its last id
      setState('connecting', JSON.parse(event.data).error);
    });
  }

  async function show() {
    generation++;
    const mine = generation;
    stopStream();
    showError('');
    logs.clear();
    order = [];
    shown = 0;
    rowsBody.replaceChildren();
    nextCursor = null;
    more.hidden = true;
    empty.hidden = true;
    const id = runId.value.trim();
    if (needsId() && !UUID.test(id)) {
      showError(id ? '"' + id + '" is not a run id (a UUID like 123e4567-e89b-12d3-a456-426614174000)'
                   : 'Enter a run id to show its logs.');
      return;
    }
    const params = new URLSearchParams();
    params.set('view', view.value);
    if (needsId()) params.set('id', id);
    history.replaceState(null, '', '?' + params.toString());
    lastStreamId = null;
    try {
      if (await fetchPage(mine)) {
        updateCount();
        startStream();
      }
    } catch (e) {
      if (mine === generation) showError('The server cannot be reached: ' + e.message);
    }
  }

  function syncIdField() {
    $('id-label').hidden = !needsId();
  }

  $('query').addEventListener('submit', (event) => { event.preventDefault(); show(); });
  view.addEventListener('change', () => { syncIdField(); if (!needsId()) show(); });
  live.addEventListener('change', () => (live.checked ? startStream() : stopStream()));
  more.addEventListener('click', () => fetchPage(generation).catch((e) => showError(e.message)));
  textFilter.addEventListener('input', applyFilters);
  document.querySelectorAll('.level-filter').forEach((box) => box.addEventListener('change', applyFilters));

  // The address says what to show: ?view=job-runs&id=<uuid>, ?view=system, ?job_run_id=<uuid>
  const query = new URLSearchParams(location.search);
  if (query.get('job_run_id')) {
    view.value = 'job-runs';
    runId.value = query.get('job_run_id');
  } else if (query.get('task_run_id')) {
    view.value = 'task-runs';
    runId.value = query.get('task_run_id');
  } else if (query.get('view')) {
    view.value = query.get('view');
    runId.value = query.get('id') || '';
  }
  if (!view.value) view.value = 'system'; // an unknown view in the address
  syncIdField();
  if (!needsId() || runId.value) show();
})();
