import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { cookies } from 'next/headers';
import { Providers } from '@/components/providers';
import { THEME_COOKIE, themeFrom } from '@/components/shell/theme';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Night Core', template: '%s · Night Core' },
  description: 'Execution firewall for WebAssembly',
  // Installable on a phone's home screen: public/manifest.webmanifest and the icons beside it.
  manifest: '/manifest.webmanifest',
  icons: { icon: [{ url: '/icon.svg', type: 'image/svg+xml' }, { url: '/icon-192.png', sizes: '192x192', type: 'image/png' }], apple: '/apple-touch-icon.png' },
  appleWebApp: { capable: true, title: 'Night Core', statusBarStyle: 'black-translucent' },
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#020617' };

// Every page renders per request: the CSP nonce is per request, and state is live.
export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const theme = themeFrom((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" className={theme}>
      <body className="min-h-screen bg-slate-950 text-slate-100 antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
