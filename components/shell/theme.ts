/** Dark by default; light when the user chose it (a cookie, so the server renders the right theme). */
export const THEME_COOKIE = 'nightcore-theme';
export type Theme = 'dark' | 'light';
export const themeFrom = (value: string | undefined): Theme => (value === 'light' ? 'light' : 'dark');
