package org.agora.es;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopwordAnalyzerBase;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.SimpleAnalyzer;
import org.apache.lucene.analysis.core.StopAnalyzer;
import org.apache.lucene.analysis.core.UpperCaseFilter;
import org.apache.lucene.analysis.core.WhitespaceAnalyzer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.de.GermanAnalyzer;
import org.apache.lucene.analysis.de.GermanLightStemFilter;
import org.apache.lucene.analysis.de.GermanMinimalStemFilter;
import org.apache.lucene.analysis.de.GermanNormalizationFilter;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.es.SpanishAnalyzer;
import org.apache.lucene.analysis.es.SpanishLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.fr.FrenchLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchMinimalStemFilter;
import org.apache.lucene.analysis.it.ItalianAnalyzer;
import org.apache.lucene.analysis.it.ItalianLightStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.miscellaneous.SetKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.analysis.path.PathHierarchyTokenizer;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.apache.lucene.analysis.pattern.PatternReplaceFilter;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.pt.PortugueseAnalyzer;
import org.apache.lucene.analysis.pt.PortugueseLightStemFilter;
import org.apache.lucene.analysis.reverse.ReverseStringFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.classic.ClassicTokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymFilter;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.synonym.WordnetSynonymParser;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexService.IndexCreationContext;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.CustomAnalyzer;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.index.analysis.PreConfiguredCharFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory.CachingStrategy;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Stand-in for Elasticsearch's "analysis-common" module, which Elastic does not publish to Maven Central.
 *
 * Every component keeps the name and the parameter names of its analysis-common counterpart and is
 * built from the same Lucene classes, so index settings written against a real Elasticsearch
 * distribution work unchanged. Only the subset this project (and Wagtail's default index settings)
 * need is implemented; an unknown type fails loudly at index creation ("unknown filter type").
 */
@SuppressWarnings("deprecation") // SynonymFilter: Elasticsearch's "synonym" type still uses it
public class AgoraAnalysisPlugin extends Plugin implements AnalysisPlugin {

    // ------------------------------------------------------------------ helpers

    /** A token filter factory from a name and a stream-wrapping function. */
    static TokenFilterFactory filter(String name, Function<TokenStream, TokenStream> fn) {
        return new TokenFilterFactory() {
            public String name() { return name; }
            public TokenStream create(TokenStream ts) { return fn.apply(ts); }
        };
    }

    /** Same, usable in normalizers (keyword fields) and multi-term queries. */
    static TokenFilterFactory normalizing(String name, Function<TokenStream, TokenStream> fn) {
        return new NormalizingTokenFilterFactory() {
            public String name() { return name; }
            public TokenStream create(TokenStream ts) { return fn.apply(ts); }
        };
    }

    /** N-gram filters multiply positions: Elasticsearch refuses them in synonym analysis chains. */
    static TokenFilterFactory noSynonyms(String name, Function<TokenStream, TokenStream> fn) {
        return new TokenFilterFactory() {
            public String name() { return name; }
            public TokenStream create(TokenStream ts) { return fn.apply(ts); }
            public TokenFilterFactory getSynonymFilter() {
                throw new IllegalArgumentException("Token filter [" + name + "] cannot be used to parse synonyms");
            }
        };
    }

    static <T> AnalysisProvider<T> provider(BiFunction<String, Settings, T> fn) {
        return (indexSettings, env, name, settings) -> fn.apply(name, settings);
    }

    static CharArraySet words(List<String> list, boolean ignoreCase) {
        return new CharArraySet(list, ignoreCase);
    }

    static int maxGramDefault(Settings s, String key, int def) {
        Integer v = s.getAsInt(key, null);
        return v == null ? def : v;
    }

    // ------------------------------------------------------------------ stemmers

    static Function<TokenStream, TokenStream> stemmer(String language) {
        String l = language == null ? "porter" : language.toLowerCase(Locale.ROOT);
        switch (l) {
            case "french": return ts -> new SnowballFilter(ts, "French");
            case "light_french": return FrenchLightStemFilter::new;
            case "minimal_french": return FrenchMinimalStemFilter::new;
            case "english": case "porter": return PorterStemFilter::new;
            case "porter2": return ts -> new SnowballFilter(ts, "English");
            case "light_english": case "kstem": return KStemFilter::new;
            case "minimal_english": return EnglishMinimalStemFilter::new;
            case "possessive_english": return EnglishPossessiveFilter::new;
            case "german": return ts -> new SnowballFilter(ts, "German");
            case "light_german": return GermanLightStemFilter::new;
            case "minimal_german": return GermanMinimalStemFilter::new;
            case "spanish": case "light_spanish": return SpanishLightStemFilter::new;
            case "italian": return ts -> new SnowballFilter(ts, "Italian");
            case "light_italian": return ItalianLightStemFilter::new;
            case "portuguese": case "light_portuguese": return PortugueseLightStemFilter::new;
            default:
                // any other Snowball stemmer shipped with Lucene: dutch, russian, swedish, ...
                String snowball = Character.toUpperCase(l.charAt(0)) + l.substring(1);
                try {
                    Class.forName("org.tartarus.snowball.ext." + snowball + "Stemmer");
                } catch (ClassNotFoundException e) {
                    throw new IllegalArgumentException("Unknown stemmer language [" + language + "]");
                }
                return ts -> new SnowballFilter(ts, snowball);
        }
    }

    // ------------------------------------------------------------------ synonyms

    /**
     * "synonym" / "synonym_graph": like Elasticsearch, the rules are analysed with the chain that
     * precedes the filter (tokenizer, char filters and earlier token filters).
     */
    static final class SynonymFactory implements TokenFilterFactory {
        private final String name;
        private final Settings settings;
        private final Environment env;
        private final boolean graph;

        SynonymFactory(String name, Settings settings, Environment env, boolean graph) {
            this.name = name;
            this.settings = settings;
            this.env = env;
            this.graph = graph;
            if (settings.get("synonyms_set") != null) {
                throw new IllegalArgumentException("[synonyms_set] (synonyms API) is not supported by this node; use [synonyms] or [synonyms_path]");
            }
            if (settings.getAsList("synonyms", null) == null && settings.get("synonyms_path") == null) {
                throw new IllegalArgumentException("synonym requires either `synonyms` or `synonyms_path` to be configured");
            }
        }

        public String name() { return name; }

        public TokenStream create(TokenStream ts) {
            throw new IllegalStateException("Call getChainAwareTokenFilterFactory to specialize this factory for an analysis chain first");
        }

        private Reader rules() throws IOException {
            List<String> inline = settings.getAsList("synonyms", null);
            if (inline != null) {
                return new StringReader(String.join("\n", inline));
            }
            Path path = env.configDir().resolve(settings.get("synonyms_path"));
            return new StringReader(Files.readString(path, StandardCharsets.UTF_8));
        }

        @Override
        public TokenFilterFactory getChainAwareTokenFilterFactory(IndexCreationContext context, TokenizerFactory tokenizer,
                                                                  List<CharFilterFactory> charFilters,
                                                                  List<TokenFilterFactory> previousTokenFilters,
                                                                  Function<String, TokenFilterFactory> allFilters) {
            TokenFilterFactory[] previous = previousTokenFilters.stream()
                .map(TokenFilterFactory::getSynonymFilter).toArray(TokenFilterFactory[]::new);
            Analyzer analyzer = new CustomAnalyzer(tokenizer, charFilters.toArray(new CharFilterFactory[0]), previous);
            boolean expand = settings.getAsBoolean("expand", true);
            boolean lenient = settings.getAsBoolean("lenient", false);
            String format = settings.get("format", "solr");
            final SynonymMap map;
            try (Reader rules = rules()) {
                if ("wordnet".equalsIgnoreCase(format)) {
                    WordnetSynonymParser parser = new WordnetSynonymParser(true, expand, analyzer);
                    parser.parse(rules);
                    map = parser.build();
                } else {
                    SolrSynonymParser parser = new SolrSynonymParser(true, expand, analyzer);
                    if (lenient) {
                        // parse line by line and skip the lines Lucene rejects
                        for (String line : new java.io.BufferedReader(rules).lines().toList()) {
                            try { parser.parse(new StringReader(line)); } catch (Exception ignored) { }
                        }
                    } else {
                        parser.parse(rules);
                    }
                    map = parser.build();
                }
            } catch (Exception e) {
                throw new IllegalArgumentException("failed to build synonyms for [" + name + "]: " + e.getMessage(), e);
            }
            final String n = name;
            final boolean g = graph;
            return new TokenFilterFactory() {
                public String name() { return n; }
                public TokenStream create(TokenStream ts) {
                    if (map.fst == null) return ts;
                    return g ? new SynonymGraphFilter(ts, map, false) : new SynonymFilter(ts, map, false);
                }
                public TokenFilterFactory getSynonymFilter() { return IDENTITY_FILTER; }
            };
        }
    }

    // ------------------------------------------------------------------ tokenizers

    /** analysis-common's "token_chars" for (edge_)ngram tokenizers. */
    static java.util.function.IntPredicate tokenChars(Settings s) {
        List<String> classes = s.getAsList("token_chars", List.of());
        if (classes.isEmpty()) return c -> true;
        String custom = s.get("custom_token_chars", "");
        return c -> {
            for (String cls : classes) {
                switch (cls.toLowerCase(Locale.ROOT)) {
                    case "letter": if (Character.isLetter(c)) return true; break;
                    case "digit": if (Character.isDigit(c)) return true; break;
                    case "whitespace": if (Character.isWhitespace(c)) return true; break;
                    case "punctuation": {
                        int t = Character.getType(c);
                        if (t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
                            || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                            || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                            || t == Character.OTHER_PUNCTUATION) return true;
                        break;
                    }
                    case "symbol": {
                        int t = Character.getType(c);
                        if (t == Character.MATH_SYMBOL || t == Character.CURRENCY_SYMBOL
                            || t == Character.MODIFIER_SYMBOL || t == Character.OTHER_SYMBOL) return true;
                        break;
                    }
                    case "custom": if (custom.indexOf(c) >= 0) return true; break;
                    default: throw new IllegalArgumentException("Unknown token type: '" + cls + "'");
                }
            }
            return false;
        };
    }

    static TokenizerFactory tokenizer(String name, Supplier<Tokenizer> supplier) {
        return TokenizerFactory.newFactory(name, supplier);
    }

    static Tokenizer edgeNGramTokenizer(Settings s) {
        int min = s.getAsInt("min_gram", 1), max = s.getAsInt("max_gram", 2);
        java.util.function.IntPredicate chars = tokenChars(s);
        return new EdgeNGramTokenizer(min, max) {
            @Override protected boolean isTokenChar(int c) { return chars.test(c); }
        };
    }

    static Tokenizer nGramTokenizer(Settings s) {
        int min = s.getAsInt("min_gram", 1), max = s.getAsInt("max_gram", 2);
        java.util.function.IntPredicate chars = tokenChars(s);
        return new NGramTokenizer(min, max) {
            @Override protected boolean isTokenChar(int c) { return chars.test(c); }
        };
    }

    static Tokenizer patternTokenizer(Settings s) {
        Pattern p = Pattern.compile(s.get("pattern", "\\W+"), regexFlags(s.get("flags", "")));
        return new PatternTokenizer(p, s.getAsInt("group", -1));
    }

    static int regexFlags(String flags) {
        int f = 0;
        for (String flag : flags.split("\\|")) {
            switch (flag.trim().toUpperCase(Locale.ROOT)) {
                case "": break;
                case "CASE_INSENSITIVE": f |= Pattern.CASE_INSENSITIVE; break;
                case "MULTILINE": f |= Pattern.MULTILINE; break;
                case "DOTALL": f |= Pattern.DOTALL; break;
                case "UNICODE_CASE": f |= Pattern.UNICODE_CASE; break;
                case "COMMENTS": f |= Pattern.COMMENTS; break;
                case "UNICODE_CHARACTER_CLASS": f |= Pattern.UNICODE_CHARACTER_CLASS; break;
                default: throw new IllegalArgumentException("Unknown regex flag [" + flag + "]");
            }
        }
        return f;
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> t = new TreeMap<>();
        t.put("edge_ngram", provider((n, s) -> tokenizer(n, () -> edgeNGramTokenizer(s))));
        t.put("ngram", provider((n, s) -> tokenizer(n, () -> nGramTokenizer(s))));
        t.put("whitespace", provider((n, s) -> tokenizer(n, () -> new WhitespaceTokenizer(
            WhitespaceTokenizer.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, s.getAsInt("max_token_length", 255)))));
        t.put("keyword", provider((n, s) -> tokenizer(n, () -> new KeywordTokenizer(s.getAsInt("buffer_size", 256)))));
        t.put("letter", provider((n, s) -> tokenizer(n, LetterTokenizer::new)));
        t.put("classic", provider((n, s) -> tokenizer(n, () -> {
            ClassicTokenizer c = new ClassicTokenizer();
            c.setMaxTokenLength(s.getAsInt("max_token_length", 255));
            return c;
        })));
        t.put("uax_url_email", provider((n, s) -> tokenizer(n, () -> {
            UAX29URLEmailTokenizer u = new UAX29URLEmailTokenizer();
            u.setMaxTokenLength(s.getAsInt("max_token_length", 255));
            return u;
        })));
        t.put("pattern", provider((n, s) -> tokenizer(n, () -> patternTokenizer(s))));
        t.put("path_hierarchy", provider((n, s) -> tokenizer(n, () -> new PathHierarchyTokenizer(
            s.get("delimiter", "/").charAt(0), s.get("replacement", s.get("delimiter", "/")).charAt(0),
            s.getAsInt("skip", 0)))));
        return t;
    }

    @Override
    public List<PreConfiguredTokenizer> getPreConfiguredTokenizers() {
        return List.of(
            PreConfiguredTokenizer.singleton("keyword", KeywordTokenizer::new),
            PreConfiguredTokenizer.singleton("whitespace", WhitespaceTokenizer::new),
            PreConfiguredTokenizer.singleton("letter", LetterTokenizer::new),
            PreConfiguredTokenizer.singleton("classic", ClassicTokenizer::new),
            PreConfiguredTokenizer.singleton("uax_url_email", UAX29URLEmailTokenizer::new),
            PreConfiguredTokenizer.singleton("path_hierarchy", PathHierarchyTokenizer::new),
            PreConfiguredTokenizer.singleton("pattern", () -> new PatternTokenizer(Pattern.compile("\\W+"), -1)),
            PreConfiguredTokenizer.singleton("ngram", NGramTokenizer::new),
            PreConfiguredTokenizer.singleton("edge_ngram",
                () -> new EdgeNGramTokenizer(EdgeNGramTokenizer.DEFAULT_MIN_GRAM_SIZE, EdgeNGramTokenizer.DEFAULT_MAX_GRAM_SIZE))
        );
    }

    // ------------------------------------------------------------------ token filters

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> f = new TreeMap<>();
        f.put("asciifolding", provider((n, s) -> {
            boolean keep = s.getAsBoolean("preserve_original", false);
            return normalizing(n, ts -> new ASCIIFoldingFilter(ts, keep));
        }));
        f.put("lowercase", provider((n, s) -> {
            String lang = s.get("language");
            if (lang == null) return normalizing(n, LowerCaseFilter::new);
            switch (lang.toLowerCase(Locale.ROOT)) {
                case "greek": return normalizing(n, org.apache.lucene.analysis.el.GreekLowerCaseFilter::new);
                case "irish": return normalizing(n, org.apache.lucene.analysis.ga.IrishLowerCaseFilter::new);
                case "turkish": return normalizing(n, org.apache.lucene.analysis.tr.TurkishLowerCaseFilter::new);
                default: throw new IllegalArgumentException("language [" + lang + "] not support for lower case");
            }
        }));
        f.put("uppercase", provider((n, s) -> normalizing(n, UpperCaseFilter::new)));
        f.put("trim", provider((n, s) -> normalizing(n, TrimFilter::new)));
        f.put("decimal_digit", provider((n, s) -> normalizing(n, DecimalDigitFilter::new)));
        f.put("german_normalization", provider((n, s) -> normalizing(n, GermanNormalizationFilter::new)));
        f.put("elision", AnalysisPlugin.requiresAnalysisSettings((indexSettings, env, n, s) -> {
            CharArraySet articles = Analysis.parseArticles(env, s);
            if (articles == null) {
                if (s.get("articles") == null && s.get("articles_path") == null) {
                    articles = FrenchAnalyzer.DEFAULT_ARTICLES;
                } else {
                    throw new IllegalArgumentException("elision filter requires [articles] or [articles_path] setting");
                }
            }
            CharArraySet a = articles;
            return normalizing(n, ts -> new ElisionFilter(ts, a));
        }));
        f.put("stemmer", provider((n, s) -> filter(n, stemmer(s.get("language", s.get("name", "porter"))))));
        f.put("snowball", provider((n, s) -> {
            String lang = s.get("language", "English");
            return filter(n, ts -> new SnowballFilter(ts, lang));
        }));
        f.put("porter_stem", provider((n, s) -> filter(n, PorterStemFilter::new)));
        f.put("kstem", provider((n, s) -> filter(n, KStemFilter::new)));
        f.put("keyword_marker", AnalysisPlugin.requiresAnalysisSettings(provider((n, s) -> {
            CharArraySet kw = words(s.getAsList("keywords", List.of()), s.getAsBoolean("ignore_case", false));
            return filter(n, ts -> new SetKeywordMarkerFilter(ts, kw));
        })));
        f.put("synonym", AnalysisPlugin.requiresAnalysisSettings((indexSettings, env, n, s) -> new SynonymFactory(n, s, env, false)));
        f.put("synonym_graph", AnalysisPlugin.requiresAnalysisSettings((indexSettings, env, n, s) -> new SynonymFactory(n, s, env, true)));
        f.put("edge_ngram", provider((n, s) -> {
            int min = s.getAsInt("min_gram", 1), max = s.getAsInt("max_gram", 2);
            boolean keep = s.getAsBoolean("preserve_original", false);
            return noSynonyms(n, ts -> new EdgeNGramTokenFilter(ts, min, max, keep));
        }));
        f.put("ngram", provider((n, s) -> {
            int min = s.getAsInt("min_gram", 1), max = s.getAsInt("max_gram", 2);
            boolean keep = s.getAsBoolean("preserve_original", false);
            return noSynonyms(n, ts -> new NGramTokenFilter(ts, min, max, keep));
        }));
        f.put("unique", provider((n, s) -> s.getAsBoolean("only_on_same_position", false)
            ? filter(n, RemoveDuplicatesTokenFilter::new) : filter(n, UniqueTokenFilter::new)));
        f.put("reverse", provider((n, s) -> filter(n, ReverseStringFilter::new)));
        f.put("truncate", AnalysisPlugin.requiresAnalysisSettings(provider((n, s) -> {
            int len = s.getAsInt("length", 10);
            return normalizing(n, ts -> new TruncateTokenFilter(ts, len));
        })));
        f.put("length", provider((n, s) -> {
            int min = s.getAsInt("min", 0), max = s.getAsInt("max", Integer.MAX_VALUE);
            return filter(n, ts -> new LengthFilter(ts, min, max));
        }));
        f.put("pattern_replace", AnalysisPlugin.requiresAnalysisSettings(provider((n, s) -> {
            Pattern p = Pattern.compile(s.get("pattern"), regexFlags(s.get("flags", "")));
            String repl = s.get("replacement", "");
            boolean all = s.getAsBoolean("all", true);
            return normalizing(n, ts -> new PatternReplaceFilter(ts, p, repl, all));
        })));
        f.put("word_delimiter_graph", provider((n, s) -> {
            int flags = 0;
            if (s.getAsBoolean("generate_word_parts", true)) flags |= WordDelimiterGraphFilter.GENERATE_WORD_PARTS;
            if (s.getAsBoolean("generate_number_parts", true)) flags |= WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS;
            if (s.getAsBoolean("catenate_words", false)) flags |= WordDelimiterGraphFilter.CATENATE_WORDS;
            if (s.getAsBoolean("catenate_numbers", false)) flags |= WordDelimiterGraphFilter.CATENATE_NUMBERS;
            if (s.getAsBoolean("catenate_all", false)) flags |= WordDelimiterGraphFilter.CATENATE_ALL;
            if (s.getAsBoolean("split_on_case_change", true)) flags |= WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE;
            if (s.getAsBoolean("preserve_original", false)) flags |= WordDelimiterGraphFilter.PRESERVE_ORIGINAL;
            if (s.getAsBoolean("split_on_numerics", true)) flags |= WordDelimiterGraphFilter.SPLIT_ON_NUMERICS;
            if (s.getAsBoolean("stem_english_possessive", true)) flags |= WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE;
            int fl = flags;
            return noSynonyms(n, ts -> new WordDelimiterGraphFilter(ts, fl, null));
        }));
        return f;
    }

    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        return List.of(
            PreConfiguredTokenFilter.singleton("asciifolding", true, ASCIIFoldingFilter::new),
            PreConfiguredTokenFilter.singleton("uppercase", true, UpperCaseFilter::new),
            PreConfiguredTokenFilter.singleton("trim", true, TrimFilter::new),
            PreConfiguredTokenFilter.singleton("decimal_digit", true, DecimalDigitFilter::new),
            PreConfiguredTokenFilter.singleton("german_normalization", true, GermanNormalizationFilter::new),
            PreConfiguredTokenFilter.singleton("elision", true, ts -> new ElisionFilter(ts, FrenchAnalyzer.DEFAULT_ARTICLES)),
            PreConfiguredTokenFilter.singleton("french_stem", false, ts -> new SnowballFilter(ts, "French")),
            PreConfiguredTokenFilter.singleton("stemmer", false, PorterStemFilter::new),
            PreConfiguredTokenFilter.singleton("snowball", false, ts -> new SnowballFilter(ts, "English")),
            PreConfiguredTokenFilter.singleton("porter_stem", false, PorterStemFilter::new),
            PreConfiguredTokenFilter.singleton("kstem", false, KStemFilter::new),
            PreConfiguredTokenFilter.singleton("unique", false, UniqueTokenFilter::new),
            PreConfiguredTokenFilter.singleton("reverse", false, ReverseStringFilter::new),
            PreConfiguredTokenFilter.singleton("truncate", false, ts -> new TruncateTokenFilter(ts, 10)),
            PreConfiguredTokenFilter.singleton("edge_ngram", false, false, ts -> new EdgeNGramTokenFilter(ts, 1, 1, false)),
            PreConfiguredTokenFilter.singleton("ngram", false, false, ts -> new NGramTokenFilter(ts, 1, 2, false)),
            PreConfiguredTokenFilter.singleton("word_delimiter_graph", false, false,
                ts -> new WordDelimiterGraphFilter(ts, WordDelimiterGraphFilter.GENERATE_WORD_PARTS
                    | WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS | WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE
                    | WordDelimiterGraphFilter.SPLIT_ON_NUMERICS | WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE, null))
        );
    }

    /** Elasticsearch's "unique": drops every token already seen in the stream. */
    static final class UniqueTokenFilter extends org.apache.lucene.analysis.TokenFilter {
        private final org.apache.lucene.analysis.tokenattributes.CharTermAttribute term =
            addAttribute(org.apache.lucene.analysis.tokenattributes.CharTermAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);

        UniqueTokenFilter(TokenStream in) { super(in); }

        @Override
        public boolean incrementToken() throws IOException {
            while (input.incrementToken()) {
                if (!seen.contains(term.buffer(), 0, term.length())) {
                    seen.add(new String(term.buffer(), 0, term.length()));
                    return true;
                }
            }
            return false;
        }

        @Override
        public void reset() throws IOException {
            super.reset();
            seen.clear();
        }
    }

    // ------------------------------------------------------------------ char filters

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        Map<String, AnalysisProvider<CharFilterFactory>> c = new TreeMap<>();
        c.put("html_strip", provider((n, s) -> {
            java.util.Set<String> escaped = new java.util.HashSet<>(s.getAsList("escaped_tags", List.of()));
            return new CharFilterFactory() {
                public String name() { return n; }
                public Reader create(Reader r) { return new HTMLStripCharFilter(r, escaped.isEmpty() ? null : escaped); }
            };
        }));
        c.put("mapping", AnalysisPlugin.requiresAnalysisSettings((indexSettings, env, n, s) -> {
            List<String> rules = Analysis.getWordList(env, s, "mappings");
            if (rules == null) throw new IllegalArgumentException("mapping requires either `mappings` or `mappings_path` to be configured");
            NormalizeCharMap.Builder b = new NormalizeCharMap.Builder();
            for (String rule : rules) {
                int arrow = rule.indexOf("=>");
                if (arrow < 0) throw new IllegalArgumentException("Invalid mapping rule : [" + rule + "]");
                b.add(unescape(rule.substring(0, arrow).trim()), unescape(rule.substring(arrow + 2).trim()));
            }
            NormalizeCharMap map = b.build();
            return new NormalizingCharFilterFactory() {
                public String name() { return n; }
                public Reader create(Reader r) { return new MappingCharFilter(map, r); }
            };
        }));
        c.put("pattern_replace", AnalysisPlugin.requiresAnalysisSettings(provider((n, s) -> {
            Pattern p = Pattern.compile(s.get("pattern"), regexFlags(s.get("flags", "")));
            String repl = s.get("replacement", "");
            return new NormalizingCharFilterFactory() {
                public String name() { return n; }
                public Reader create(Reader r) { return new PatternReplaceCharFilter(p, repl, r); }
            };
        })));
        return c;
    }

    static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length()) {
                char nx = s.charAt(++i);
                switch (nx) {
                    case 'n': out.append('\n'); break;
                    case 't': out.append('\t'); break;
                    case 'r': out.append('\r'); break;
                    case 'u': out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16)); i += 4; break;
                    default: out.append(nx);
                }
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    @Override
    public List<PreConfiguredCharFilter> getPreConfiguredCharFilters() {
        return List.of(PreConfiguredCharFilter.singleton("html_strip", false, HTMLStripCharFilter::new));
    }

    // ------------------------------------------------------------------ analyzers

    interface LangCtor { StopwordAnalyzerBase make(CharArraySet stop, CharArraySet stemExclusion); }

    record Lang(Supplier<CharArraySet> defaultStop, LangCtor ctor) { }

    static final Map<String, Lang> LANGUAGES = Map.of(
        "french", new Lang(FrenchAnalyzer::getDefaultStopSet, FrenchAnalyzer::new),
        "english", new Lang(EnglishAnalyzer::getDefaultStopSet, EnglishAnalyzer::new),
        "german", new Lang(GermanAnalyzer::getDefaultStopSet, GermanAnalyzer::new),
        "spanish", new Lang(SpanishAnalyzer::getDefaultStopSet, SpanishAnalyzer::new),
        "italian", new Lang(ItalianAnalyzer::getDefaultStopSet, ItalianAnalyzer::new),
        "portuguese", new Lang(PortugueseAnalyzer::getDefaultStopSet, PortugueseAnalyzer::new)
    );

    static <T extends Analyzer> AnalyzerProvider<? extends Analyzer> analyzerProvider(String name, Settings s, T analyzer) {
        return new AbstractIndexAnalyzerProvider<T>(name, s) {
            public T get() { return analyzer; }
        };
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> a = new TreeMap<>();
        LANGUAGES.forEach((lang, def) -> a.put(lang, (indexSettings, env, n, s) -> analyzerProvider(n, s,
            def.ctor().make(Analysis.parseStopWords(env, s, def.defaultStop().get()),
                Analysis.parseStemExclusion(s, CharArraySet.EMPTY_SET)))));
        a.put("simple", provider((n, s) -> analyzerProvider(n, s, new SimpleAnalyzer())));
        a.put("whitespace", provider((n, s) -> analyzerProvider(n, s, new WhitespaceAnalyzer())));
        a.put("keyword", provider((n, s) -> analyzerProvider(n, s, new KeywordAnalyzer())));
        a.put("stop", (indexSettings, env, n, s) -> analyzerProvider(n, s,
            new StopAnalyzer(Analysis.parseStopWords(env, s, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET))));
        return a;
    }

    @Override
    public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
        List<PreBuiltAnalyzerProviderFactory> list = new ArrayList<>();
        LANGUAGES.forEach((lang, def) -> list.add(new PreBuiltAnalyzerProviderFactory(lang, CachingStrategy.LUCENE,
            () -> def.ctor().make(def.defaultStop().get(), CharArraySet.EMPTY_SET))));
        return list;
    }
}
