// A server component: it renders the viewer, which is a client component ('use client' in the package)
import LogViewer from '@stratal/logs-react';
import '@stratal/logs-react/log-viewer.css';

export default function Page() {
  return (
    <main>
      <h1>Job logs</h1>
      <LogViewer jobRunId="123e4567-e89b-12d3-a456-426614174000" baseUrl="http://127.0.0.1:8080" height="400px" live={false} />
    </main>
  );
}
