import LogViewer from '@stratal/logs-react';
import '@stratal/logs-react/log-viewer.css';
import { createRoot } from 'react-dom/client';

// Where the log server is: ?server=http://127.0.0.1:8080&token=…&job_run_id=… (a dashboard of one's own
// would know these; the browser tests pass them).
const params = new URLSearchParams(location.search);
const baseUrl = params.get('server') ?? undefined;
const token = params.get('token') ?? undefined;
const jobRunId = params.get('job_run_id') ?? 'job-123';
// #line=<id>: a link to one line; picking a line puts it there
const line = /^#line=(\d+)$/.exec(location.hash);
const selectedLine = line ? Number(line[1]) : undefined;
const onSelectLine = (id: number) => history.replaceState(null, '', `#line=${id}`);

/** The seed's example, as written there, plus where the server is. */
function SystemDashboard() {
  return (
    <div>
      <h2>System Logs</h2>
      <LogViewer filterType="system" height="400px" baseUrl={baseUrl} token={token} selectedLine={selectedLine}
        onSelectLine={onSelectLine} />

      <h2>Job Execution</h2>
      <LogViewer jobRunId={jobRunId} height="600px" baseUrl={baseUrl} token={token} selectedLine={selectedLine}
        onSelectLine={onSelectLine} />
    </div>
  );
}

createRoot(document.getElementById('root')!).render(<SystemDashboard />);
