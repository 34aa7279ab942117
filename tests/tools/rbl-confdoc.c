/*
 * rbl-confdoc -- print the rbld.conf(5) reference of configuration
 * sections from the schema (zone/config/config_schema.c), in man(7) markup.
 *
 *   rbl-confdoc [SECTION...]     the named sections (default: all)
 *
 * doc/rbld.conf.5 holds this output for the sections whose owners have
 * not written more about them; tests/ctl/docs.test checks that every key
 * of the schema is documented there.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "zone/config/config.h"

static const char *type_name(int type)
{
	switch (type) {
	case RBL_CT_U32:	return "number";
	case RBL_CT_BOOL:	return "boolean";
	case RBL_CT_DURATION:	return "duration";
	case RBL_CT_SIZE:	return "size";
	case RBL_CT_ADDR:	return "address[/len]";
	case RBL_CT_LISTEN:	return "address[@port]";
	case RBL_CT_NAME:	return "name";
	case RBL_CT_CODE:	return "code";
	case RBL_CT_SECRET:	return "hex";
	}
	return "text";
}

/* Escape for man(7): backslashes, dashes, a leading dot or quote; the
 * first letter capitalised (the schema's help is lowercase). */
static void put_text(const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	else if (*s >= 'a' && *s <= 'z')
		putchar(*s++ - 'a' + 'A');
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
}

static void section(const rbl_conf_section_def *d)
{
	printf(".SH SECTION %s\n", d->name);
	put_text(d->help);
	printf(".\n%s%s\n", d->title == 1 ? "The title is required" :
	       d->title == 2 ? "The title is optional" : "No title",
	       d->repeat ? "; the section may repeat." :
	       "; at most once.");
	for (const rbl_conf_key *k = rbl_conf_keys; k->section; k++) {
		if (strcmp(k->section, d->name) != 0)
			continue;
		printf(".TP\n.BI %s \" %s\"\n", k->key, type_name(k->type));
		put_text(k->help);
		printf("%s\n", k->repeat ? " (may repeat)." : ".");
	}
}

int main(int argc, char **argv)
{
	for (const rbl_conf_section_def *d = rbl_conf_sections; d->name; d++) {
		bool want = argc < 2;

		for (int i = 1; i < argc; i++)
			want = want || strcmp(argv[i], d->name) == 0;
		if (want)
			section(d);
	}
	return 0;
}
