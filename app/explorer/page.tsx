import type { Metadata } from 'next';
import { LatestBlocks } from './latest-blocks';
import { Validators } from './validators';

export const metadata: Metadata = { title: 'Explorer · Lendnet' };

export default function ExplorerPage() {
  return (
    <>
      <h1>Explorer</h1>
      <LatestBlocks />
      <Validators />
    </>
  );
}
