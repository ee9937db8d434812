/**
 * Where the SDK keeps tokens and login transactions. Values are plain, structured-cloneable objects.
 * Any object with these three async methods works (IndexedDB, memory, an encrypted wrapper, ...).
 */
export interface AuthStorage {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
}
