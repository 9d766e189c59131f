import type { Metadata } from 'next';
import { BlockView } from './block-view';

interface BlockPageProps {
  readonly params: Promise<{ height: string }>;
}

export async function generateMetadata({ params }: BlockPageProps): Promise<Metadata> {
  const { height } = await params;
  return { title: `Block ${decodeURIComponent(height)} · Explorer · Lendnet` };
}

export default async function BlockPage({ params }: BlockPageProps) {
  const { height } = await params;
  return <BlockView heightParam={decodeURIComponent(height)} />;
}
