// Starts the API on its address; a port another process holds becomes CEP_ERR_API_PORT_IN_USE
// naming the port and how to choose another, instead of a bare EADDRINUSE stack.
import type { FastifyInstance } from 'fastify';
import { CepError } from '../core/errors.ts';

/** `how` says how this runner's port is set, e.g. "--port <n> or CEPHEUS_API_PORT=<n>". */
export async function listenOrExplain(app: FastifyInstance, host: string, port: number, how: string): Promise<void> {
  try {
    await app.listen({ host, port });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EADDRINUSE') throw new CepError('CEP_ERR_API_PORT_IN_USE', `port ${port} on ${host} is already in use by another process: stop it, or choose another port with ${how}`, [], { cause: err });
    if (code === 'EACCES') throw new CepError('CEP_ERR_API_PORT_IN_USE', `port ${port} on ${host} needs privileges this process does not have: choose a port above 1023 with ${how}`, [], { cause: err });
    throw err;
  }
}
