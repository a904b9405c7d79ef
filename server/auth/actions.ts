'use server';
/** Server actions for the session. Next.js checks the Origin of every server action (CSRF). */
import { signOut } from './index';

/** Ends the session and returns to the sign-in page: `<form action={signOutAction}>`. */
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: '/signin' });
}
