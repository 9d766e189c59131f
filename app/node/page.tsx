import type { Metadata } from 'next';
import { NodeView } from './node-view';

export const metadata: Metadata = { title: 'Node · Lendnet' };

export default function NodePage() {
  return (
    <>
      <h1>Node</h1>
      <p className="muted">The node that serves this page, as it reports itself.</p>
      <NodeView />
    </>
  );
}
