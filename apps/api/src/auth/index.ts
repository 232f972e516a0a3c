export * from './identity';
export { CurrentIdentity } from './current-identity.decorator';
export { TokenVerifier } from './token-verifier';
export { signDevelopmentToken, DEFAULT_TOKEN_TTL_SECONDS } from './development-token';
export { authorizeOperation, isIntrospectionOnly } from './operation-policy';
export { AuthModule } from './auth.module';
