import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import LogViewer from '@stratal/logs-react';
import '@stratal/logs-react/log-viewer.css';

const params = new URLSearchParams(location.search);
const baseUrl = params.get('server') ?? undefined;
const token = params.get('token') ?? undefined;
const jobRunId = params.get('job_run_id') ?? 'job-123';

function Dashboard() {
  return (
    <div>
      <h2>System Logs</h2>
      <LogViewer filterType="system" height="300px" baseUrl={baseUrl} token={token} />
      <h2>Job Execution</h2>
      <LogViewer jobRunId={jobRunId} height="400px" baseUrl={baseUrl} token={token} />
    </div>
  );
}

createRoot(document.getElementById('root')).render(<StrictMode><Dashboard /></StrictMode>);
