package com.hydden.diagnostics.auth;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.security.enterprise.CallerPrincipal;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodeValidator;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

/**
 * Verifies JWTs against the configured JWKS with one {@link JwtConsumer}, built once at startup. The caller
 * is {@code sub}; the roles come from the configured claim (a JSON array or a space-separated string).
 *
 * <p>Only asymmetric signatures are accepted: {@code none} and HMAC are refused before any key is looked up,
 * so a token "signed" with a public key used as an HMAC secret gets nowhere. Encrypted tokens are refused.
 */
@ApplicationScoped
public class JwtVerifier implements IdentityStore {

    static final String ISSUER_KEY = "diagnostics.auth.jwt.issuer";
    static final String AUDIENCE_KEY = "diagnostics.auth.jwt.audience";
    static final String CLOCK_SKEW_KEY = "diagnostics.auth.jwt.clock-skew";
    static final String ROLES_CLAIM_KEY = "diagnostics.auth.jwt.roles-claim";
    static final int MAX_TOKEN_CHARS = 16 * 1024;

    private static final Logger LOG = Logger.getLogger(JwtVerifier.class.getName());
    private static final Pattern JWT_SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
    private static final String[] ASYMMETRIC = {
            AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384,
            AlgorithmIdentifiers.RSA_USING_SHA512,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA256, AlgorithmIdentifiers.RSA_PSS_USING_SHA384,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA512,
            AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384,
            AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512,
            AlgorithmIdentifiers.EDDSA};
    private static final Map<Integer, String> ERROR_NAMES = errorNames();

    @Inject
    @ConfigProperty(name = JwksKeys.KEY)
    Optional<String> jwks;

    @Inject
    @ConfigProperty(name = JwksKeys.TRUST_KEY)
    Optional<String> jwksTrust;

    @Inject
    @ConfigProperty(name = ISSUER_KEY)
    Optional<String> issuer;

    @Inject
    @ConfigProperty(name = AUDIENCE_KEY)
    Optional<String> audience;

    @Inject
    @ConfigProperty(name = CLOCK_SKEW_KEY)
    Duration clockSkew;

    @Inject
    @ConfigProperty(name = ROLES_CLAIM_KEY)
    String rolesClaim;

    private JwksKeys keys;        // null: no JWKS configured
    private JwtConsumer consumer; // null: no JWKS configured, every JWT is refused

    public JwtVerifier() {
    }

    JwtVerifier(JwksKeys keys, Optional<String> issuer, Optional<String> audience, Duration clockSkew,
                String rolesClaim) {
        this.issuer = issuer;
        this.audience = audience;
        this.clockSkew = clockSkew;
        this.rolesClaim = rolesClaim;
        this.consumer = consumer(keys);
    }

    @PostConstruct
    void start() {
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException(CLOCK_SKEW_KEY + ": must not be negative, is " + clockSkew);
        }
        if (rolesClaim.isBlank()) {
            throw new IllegalArgumentException(ROLES_CLAIM_KEY + ": must name a claim");
        }
        if (jwks.isPresent()) {
            keys = JwksKeys.load(jwks.get().strip(), jwksTrust.map(String::strip));
            consumer = consumer(keys);
        } else {
            LOG.warning(JwksKeys.KEY + " is not set: every JWT is refused");
        }
    }

    /** The verification keys in use, for the readiness check. */
    public SourceState keysState() {
        return keys == null ? SourceState.NOT_CONFIGURED : keys.state();
    }

    /** Whether {@code token} looks like a signed JWT (three base64url parts), so it goes here, not to the API tokens. */
    static boolean hasJwtShape(String token) {
        return token.length() <= MAX_TOKEN_CHARS && JWT_SHAPE.matcher(token).matches();
    }

    void loadAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing startup creates the bean now, so a bad configuration stops the deployment
    }

    @Override
    public Set<ValidationType> validationTypes() {
        return Set.of(ValidationType.VALIDATE);
    }

    @Override
    public CredentialValidationResult validate(Credential credential) {
        if (!(credential instanceof TokenCredential presented)) {
            return CredentialValidationResult.NOT_VALIDATED_RESULT;
        }
        if (consumer == null || !hasJwtShape(presented.token())) {
            LOG.fine(consumer == null ? "JWT refused: no JWKS configured" : "JWT refused: malformed");
            return CredentialValidationResult.INVALID_RESULT;
        }
        try {
            JwtClaims claims = consumer.processToClaims(presented.token());
            return new CredentialValidationResult(new CallerPrincipal(claims.getSubject()), roles(claims));
        } catch (InvalidJwtException e) {
            LOG.fine(() -> "JWT refused: " + reasons(e));
            return CredentialValidationResult.INVALID_RESULT;
        } catch (MalformedClaimException e) {
            LOG.fine(() -> "JWT refused: MALFORMED_CLAIM");
            return CredentialValidationResult.INVALID_RESULT;
        }
    }

    private JwtConsumer consumer(JwksKeys keys) {
        int skewSeconds = (int) Math.min(Integer.MAX_VALUE, clockSkew.toSeconds());
        JwtConsumerBuilder builder = new JwtConsumerBuilder()
                .setVerificationKeyResolver(keys)
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, ASYMMETRIC)
                .setJweAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT) // none permitted
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds(skewSeconds)
                .setIssuedAtRestrictions(0, Integer.MAX_VALUE); // iat in the future (beyond the skew) is refused
        issuer.ifPresent(builder::setExpectedIssuer);
        audience.ifPresentOrElse(builder::setExpectedAudience, builder::setSkipDefaultAudienceValidation);
        return builder.build();
    }

    private Set<String> roles(JwtClaims claims) {
        Object value = claims.getClaimValue(rolesClaim);
        Collection<?> names;
        if (value instanceof String s) {
            names = Arrays.asList(s.trim().split("\\s+"));
        } else if (value instanceof Collection<?> list) {
            names = list;
        } else {
            names = List.of();
        }
        return names.stream()
                .filter(String.class::isInstance)
                .map(String.class::cast)
                .filter(name -> !name.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** The failed checks by name only: jose4j's messages may quote claims or token parts. */
    static String reasons(InvalidJwtException e) {
        List<ErrorCodeValidator.Error> details = e.getErrorDetails();
        if (details == null || details.isEmpty()) {
            return "INVALID";
        }
        return details.stream()
                .map(d -> ERROR_NAMES.getOrDefault(d.getErrorCode(), "ERROR_" + d.getErrorCode()))
                .distinct()
                .collect(Collectors.joining(","));
    }

    private static Map<Integer, String> errorNames() {
        return Arrays.stream(ErrorCodes.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == int.class)
                .collect(Collectors.toUnmodifiableMap(JwtVerifier::intValue, Field::getName, (a, b) -> a));
    }

    private static int intValue(Field f) {
        try {
            return f.getInt(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
