import { en, type Messages } from './en.js';

export const ko: Messages = {
  ...en,
};
